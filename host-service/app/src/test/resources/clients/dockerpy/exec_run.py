"""docker-py's containers.run and exec_run (user, workdir, environment, demux), as programs call them."""
import sys
import docker

client = docker.DockerClient(base_url=sys.argv[1])
print("run:", client.containers.run("busybox", ["echo", "hello"], remove=True).decode().strip())
box = client.containers.run("busybox", ["sleep", "600"], detach=True, name="py-exec")
try:
    # Many times: output that arrives right after the upgrade must never be lost.
    for i in range(20):
        result = box.exec_run(["sh", "-c", "echo $(id -un) $(pwd) $GREETING %d" % i],
                              user="nobody", workdir="/tmp", environment={"GREETING": "hi"})
        assert result == (0, b"nobody /tmp hi %d\n" % i), "exec %d: %r" % (i, result)
    print("exec_run: 20 of 20")
    code, (out, err) = box.exec_run(["sh", "-c", "echo out; echo err >&2; exit 7"], demux=True)
    print("demux:", code, out.decode().strip(), err.decode().strip())
    code, out = box.exec_run(["sh", "-c", "printf tty"], tty=True)
    print("tty:", code, out.decode())
    stream = box.exec_run(["sh", "-c", "echo one; sleep 0.2; echo two"], stream=True)
    print("stream:", b"".join(stream.output).decode().split())
finally:
    box.remove(force=True)

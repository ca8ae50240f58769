"""docker-py's logs stream, put_archive and get_archive."""
import io
import sys
import tarfile
import docker

client = docker.DockerClient(base_url=sys.argv[1])
box = client.containers.run("busybox", ["sh", "-c", "for i in 1 2 3; do echo line $i; sleep 0.2; done; echo done >&2"],
                            detach=True, name="py-logs")
try:
    lines = [chunk.decode() for chunk in box.logs(stream=True, follow=True)]
    print("logs stream:", "".join(lines).split("\n")[:4])
    print("wait:", box.wait()["StatusCode"])
    print("stderr only:", box.logs(stdout=False, stderr=True).decode().strip())
finally:
    box.remove(force=True)

box = client.containers.run("busybox", ["sleep", "600"], detach=True, name="py-archive")
try:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = b"put by docker-py\n"
        info = tarfile.TarInfo("notes/hello.txt")
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    print("put_archive:", box.put_archive("/tmp", buffer.getvalue()))
    print("cat:", box.exec_run(["cat", "/tmp/notes/hello.txt"]).output.decode().strip())
    chunks, stat = box.get_archive("/tmp/notes")
    with tarfile.open(fileobj=io.BytesIO(b"".join(chunks))) as tar:
        names = sorted(tar.getnames())
        content = tar.extractfile("notes/hello.txt").read().decode().strip()
    print("get_archive:", stat["name"], names, content)
finally:
    box.remove(force=True)

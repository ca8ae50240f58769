"""docker-py's volumes and networks, and a container using both."""
import sys
import docker

client = docker.DockerClient(base_url=sys.argv[1])
volume = client.volumes.create("py-data", labels={"py.test": "vn"})
network = client.networks.create("py-net", driver="bridge", labels={"py.test": "vn"})
try:
    print("volume:", volume.name, volume.attrs["Driver"], volume.attrs["Labels"])
    print("network:", network.name, network.attrs["Driver"])
    client.containers.run("busybox", ["sh", "-c", "echo kept > /data/file"], remove=True,
                          volumes={"py-data": {"bind": "/data", "mode": "rw"}})
    server = client.containers.run("busybox", ["sh", "-c", "cat /data/file; sleep 600"], detach=True, name="py-server",
                                   network="py-net", volumes={"py-data": {"bind": "/data", "mode": "ro"}})
    network.reload()
    print("connected:", sorted(c.name for c in network.containers))
    answer = client.containers.run("busybox", ["sh", "-c", "ping -c 1 -W 2 py-server >/dev/null && echo reached"],
                                   remove=True, network="py-net")
    print("by name:", answer.decode().strip())
    print("logs:", server.logs().decode().strip())
    print("listed:", [v.name for v in client.volumes.list(filters={"label": "py.test=vn"})],
          [n.name for n in client.networks.list(filters={"label": "py.test=vn"})])
    server.remove(force=True)
finally:
    network.remove()
    volume.remove()
print("after:", [v.name for v in client.volumes.list(filters={"label": "py.test=vn"})],
      [n.name for n in client.networks.list(names=["py-net"])])

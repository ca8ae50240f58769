"""docker-py's events: live with a label filter, then the same window again with since/until."""
import sys
import threading
import time
import docker

client = docker.DockerClient(base_url=sys.argv[1])
since = int(time.time()) - 1
seen = []
ready = threading.Event()
done = threading.Event()

def watch():
    stream = client.events(decode=True, filters={"label": "py.test=events"})
    ready.set()
    for event in stream:
        seen.append("%s %s %s" % (event["Type"], event["Action"], event["Actor"]["Attributes"].get("name")))
        if len(seen) >= 2:
            done.set()
            stream.close()
            return

threading.Thread(target=watch, daemon=True).start()
ready.wait(10)
time.sleep(0.5)
client.containers.run("busybox", "true", name="py-unlabelled", detach=True)
labelled = client.containers.create("busybox", "true", name="py-labelled", labels={"py.test": "events"})
labelled.start()
done.wait(15)
print("live:", seen)
labelled.wait()
labelled.remove()
client.containers.get("py-unlabelled").remove(force=True)
until = int(time.time()) + 1
past = ["%s %s" % (e["Type"], e["Action"])
        for e in client.events(decode=True, since=since, until=until, filters={"label": "py.test=events"})]
print("since/until:", past)
only_die = [e["Action"] for e in client.events(decode=True, since=since, until=until,
                                                filters={"label": "py.test=events", "event": "die"})]
print("die only:", only_die)

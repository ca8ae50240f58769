# Shared by the benchmarks: makes sure Tallyman answers ($DOCKER_HOST, else /run/tallyman.sock, started with
# `ops/tallyman up`), starts the Docker peer unless it already runs (and stops it on exit if it started it),
# and imports the same busybox image into both. Sets: docker, tallyman_host, peer_host, work.
# usage (from a bench script): bench=NAME; . "$repo/ops/bench/engines.bash"

docker=/usr/local/bin/docker
tallyman_host=${DOCKER_HOST:-unix:///run/tallyman.sock}
peer_host=unix:///run/tallyman-peer/docker.sock

answers() { timeout 10 "$docker" -H "$1" version >/dev/null 2>&1; }

if ! answers "$tallyman_host"; then
  if [ "$tallyman_host" = unix:///run/tallyman.sock ]; then
    "$repo/ops/tallyman" up >&2
  else
    echo "$bench: no engine answers at $tallyman_host" >&2; exit 1
  fi
fi

work=$(mktemp -d "/tmp/$bench.XXXXXX")
stop_peer=
cleanup() {
  [ -n "$stop_peer" ] && "$repo/ops/lib/docker-peer" stop >&2
  rm -rf "$work"
}
trap cleanup EXIT
if ! "$repo/ops/lib/docker-peer" status >/dev/null 2>&1; then
  stop_peer=1
  "$repo/ops/lib/docker-peer" start >&2
fi

"$repo/ops/lib/busybox-rootfs" "$work/busybox.tar" >/dev/null
[ -s "$work/busybox.tar" ] || { echo "$bench: ops/lib/busybox-rootfs made no tar" >&2; exit 1; }
for host in "$tallyman_host" "$peer_host"; do
  "$docker" -H "$host" import "$work/busybox.tar" busybox:latest >/dev/null
done

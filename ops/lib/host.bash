# Shell functions the ops scripts share: Debian packages, mounts and processes of this host.
# Source it (". ops/lib/host.bash"); it defines functions only and changes no shell option.

# Installs the Debian packages among "$@" that are not installed yet.
# apt-get update runs only when something is missing, so a ready machine makes no network call.
ensure_packages() {
  local missing=() pkg status
  for pkg in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  # Packages such as postgresql and docker.io start their system services on install; we run our
  # own private instances instead, so forbid service starts unless the machine already does.
  local made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1
  fi
  local rc=0
  { DEBIAN_FRONTEND=noninteractive apt-get -q update >/dev/null \
    && DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null; } || rc=$?
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  [ $rc -eq 0 ] || { echo "install ${missing[*]}: apt-get exited $rc" >&2; return $rc; }
}

# Prints the mount points at or under each folder in "$@", deepest first, one per line.
# Reads /proc/self/mountinfo, whose paths escape space, tab, newline and backslash as \ooo.
mounts_under() {
  local root point
  while read -r _ _ _ _ point _; do
    point=$(printf '%b' "${point//\\/\\0}")
    for root in "$@"; do
      root=${root%/}
      if [ "$point" = "$root" ] || [ "${point#"$root"/}" != "$point" ]; then
        printf '%s\t%s\n' "$(tr -cd / <<<"$point" | wc -c)" "$point"
        break
      fi
    done
  done </proc/self/mountinfo | sort -t $'\t' -k1,1nr -s | cut -f2-
}

# Unmounts everything at or under each folder in "$@", deepest first, until nothing is left.
# Stacked mounts on one point need one pass each, hence the loop. A mount still busy after a
# plain umount is detached lazily (and said so), because down must leave no mount behind.
unmount_under() {
  local pass point left
  for pass in 1 2 3 4 5 6 7 8; do
    left=$(mounts_under "$@")
    [ -z "$left" ] && return 0
    while IFS= read -r point; do
      umount "$point" 2>/dev/null && continue
      if [ "$pass" -ge 3 ]; then
        echo "unmount $point: busy, detaching lazily" >&2
        umount -l "$point" 2>/dev/null || true
      fi
    done <<<"$left"
  done
  left=$(mounts_under "$@")
  [ -z "$left" ] || { echo "unmount: still mounted:" >&2; echo "$left" >&2; return 1; }
}

# Prints the pids of processes named $1 (the kernel's comm) whose command line contains any of
# the strings "$2"... ; an empty pattern list matches every such process. Zombies are skipped:
# they hold nothing, and only their parent (here often PID 1) can reap them.
pids_of() {
  local name=$1; shift
  local dir pid comm args pattern
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    comm=$(cat "$dir/comm" 2>/dev/null) || continue
    [ "$comm" = "$name" ] || continue
    alive "$pid" || continue
    [ $# -eq 0 ] && { echo "$pid"; continue; }
    args=$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null) || continue
    for pattern in "$@"; do
      if [[ "$args" == *"$pattern"* ]]; then echo "$pid"; break; fi
    done
  done
}

# True while process $1 exists and is not a zombie.
alive() {
  local state
  state=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# Sends SIGTERM to pid $1, waits up to $2 seconds (default 20), then sends SIGKILL.
# Returns once the process is gone.
stop_pid() {
  local pid=$1 grace=${2:-20} i
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "pid $pid still running after ${grace}s: SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "pid $pid survived SIGKILL" >&2
  return 1
}

# Prints the ids of the runc containers kept in runc root $1 (one folder per container).
runc_containers() {
  local root=$1 dir
  [ -d "$root" ] || return 0
  for dir in "$root"/*/; do
    [ -f "$dir/state.json" ] && basename "$dir"
  done
  return 0
}

# Closes every descriptor above 2 in the current shell. Call it in the subshell that starts a daemon: a
# daemon that inherits a caller's `flock FILE` descriptor would hold that lock for as long as it runs.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
  done
}

#!/usr/bin/env bash
# A stand-in for `docker` on a test host with no Docker engine: each "container" is a sample-app
# process. It understands exactly what Sluice's docker template runs (pull, stop, rm, run, inspect)
# and answers like docker does. Its settings come from stand-in.conf beside it; every call is
# appended to $STATE/calls.log.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=/dev/null
. "$here/stand-in.conf"   # JAVA, JAR, BEHAVIOR (may be empty), STATE
mkdir -p "$STATE"
echo "$(date -u +%H:%M:%S.%N) $*" >> "$STATE/calls.log"
cmd=${1:-}; shift || true
alive() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }
case "$cmd" in
  pull)
    if [ -f "$STATE/pull-delay" ]; then sleep "$(cat "$STATE/pull-delay")"; fi
    echo "${1##*:}: Pulling from ${1%:*}"; echo "Status: Downloaded newer image for $1" ;;
  stop)
    wait_s=10
    if [ "${1:-}" = --time ]; then wait_s=$2; shift 2; fi
    name=$1
    [ -f "$STATE/$name.pid" ] || { echo "Error response from daemon: No such container: $name" >&2; exit 1; }
    pid=$(cat "$STATE/$name.pid")
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq $((wait_s * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    echo "$name" ;;
  rm)
    name=$1
    [ -f "$STATE/$name.pid" ] || { echo "Error response from daemon: No such container: $name" >&2; exit 1; }
    if alive "$name"; then echo "Error response from daemon: cannot remove container \"/$name\": container is running" >&2; exit 1; fi
    rm -f "$STATE/$name.pid" "$STATE/$name.version"
    echo "$name" ;;
  run)
    name=""; version=""; target=""; port=""
    while [ $# -gt 1 ]; do
      case "$1" in
        --detach|-d) shift ;;
        --name) name=$2; shift 2 ;;
        --restart|--env-file) shift 2 ;;
        --label) case "$2" in sluice.version=*) version=${2#*=} ;; sluice.target=*) target=${2#*=} ;; esac; shift 2 ;;
        --publish|-p) port=${2%%:*}; shift 2 ;;
        *) shift ;;
      esac
    done
    image=$1
    [ "${image##*:}" = "$version" ] || { echo "stand-in: image tag ${image##*:} is not the label's version $version" >&2; exit 125; }
    if [ -f "$STATE/$name.pid" ]; then echo "docker: Error response from daemon: Conflict. The container name \"/$name\" is already in use." >&2; exit 125; fi
    behavior=()
    if [ -n "${BEHAVIOR:-}" ]; then behavior=(--behavior "$BEHAVIOR"); fi
    setsid "$JAVA" -jar "$JAR" --host 127.0.0.1 --port "$port" --version "$version" --target "${target:-$name}" "${behavior[@]}" \
      > "$STATE/$name.log" 2>&1 < /dev/null &
    echo $! > "$STATE/$name.pid"
    echo "$version" > "$STATE/$name.version"
    echo "c0ffee$name" ;;
  inspect)
    format=$2; name=$3
    [ -f "$STATE/$name.version" ] || { echo "Error: No such object: $name" >&2; exit 1; }
    case "$format" in
      *State.Running*) if alive "$name"; then echo true; else echo false; fi ;;
      *) cat "$STATE/$name.version" ;;
    esac ;;
  *) echo "stand-in: docker $cmd is not supported" >&2; exit 2 ;;
esac

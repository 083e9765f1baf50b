# shellcheck shell=bash
# Shared by tests/cluster/up and tests/cluster/down (sourced, not executed).

cluster_state="${RUDDER_CLUSTER_DIR:-/tmp/rudder-cluster}"
case "$(cd / && realpath -m "$cluster_state")" in
  / | "$(realpath -m "$HOME")" | /tmp | /root | /home)
    echo "tests/cluster: refusing RUDDER_CLUSTER_DIR=$cluster_state (it gets deleted by down)" >&2
    exit 2 ;;
esac
cluster_lock="${cluster_state%/}.lock"
# Start order; stopped in reverse.
cluster_components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

say() { echo "${me:-tests/cluster}: $*" >&2; }

# lock_cluster: serialise up/down on this state dir (the lock file lives beside it,
# since down removes the dir). fd 9 must not leak into the components (see start_component).
lock_cluster() {
  mkdir -p "$(dirname "$cluster_state")"
  exec 9>"$cluster_lock"
  flock 9
}

# component_pid NAME: prints the pid of the live process that up started for NAME, if any.
# The pid file alone is not trusted: the process must still run the binary of that name.
component_pid() {
  local f="$cluster_state/pids/$1.pid" pid exe
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
  [ "$(basename "${exe% (deleted)}")" = "$1" ] || return 1
  echo "$pid"
}

# stop_cluster: TERM every component up started (by pid file), KILL after a grace period.
stop_cluster() {
  local i name pid pids=() waited
  for ((i = ${#cluster_components[@]} - 1; i >= 0; i--)); do
    name="${cluster_components[$i]}"
    if pid="$(component_pid "$name")"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  waited=0
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 150 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  # Reap: a KILLed process may take a moment to disappear.
  for pid in "${pids[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
  rm -f "$cluster_state"/pids/*.pid 2>/dev/null || true
}

#!/usr/bin/env bash
# Starts or stops a private Docker engine for the tests, for machines where
# none runs.
#
#   dockerd.sh start <dir>   start dockerd with its socket at <dir>/docker/docker.sock,
#                            print DOCKER_HOST=unix://<dir>/docker/docker.sock
#   dockerd.sh stop <dir>    stop it (and its containers) and remove <dir>/docker
#
# As root on Debian, `docker.io` is installed with apt when dockerd is missing.
# The engine's images live in a persistent data root, TOASTY_DOCKER_DATA_ROOT
# (default $HOME/.cache/toasty/docker), so images built once are reused by
# later runs. Only one such engine runs on a machine at a time, whatever its
# data root (they would share the docker0 bridge and its addresses): a lock,
# /run/lock/toasty-dockerd.lock, is held for the engine's life, and a second run
# waits up to TOASTY_DOCKER_LOCK_TIMEOUT seconds (default 1200). The socket,
# exec root, pid file and log stay in <dir>/docker.
#
# The engine touches the host as little as dockerd allows: no iptables rules,
# no IP masquerading, no change to IP forwarding. Containers get the docker0
# bridge (so they cannot reach anything beyond this machine), and published
# ports go through docker-proxy on the host address the publisher names
# (127.0.0.1 in scripts/test and compose.yaml).
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.sh
PROVISION_NAME=dockerd
# shellcheck source-path=SCRIPTDIR source=../provision/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../provision/lib.sh"

DATA_ROOT=${TOASTY_DOCKER_DATA_ROOT:-$HOME/.cache/toasty/docker}
LOCK_TIMEOUT=${TOASTY_DOCKER_LOCK_TIMEOUT:-1200}
LOCK=/run/lock/toasty-dockerd.lock
START_TIMEOUT=${TOASTY_PROVISION_TIMEOUT:-60}
PATH=$PATH:/usr/sbin:/usr/local/sbin

start() {
    local top=$1 dir pid sock
    dir=$top/docker
    [[ ! -e $dir/started.pid ]] || die "$dir already has an engine; stop it first"
    if ! command -v dockerd >/dev/null 2>&1; then
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
            apt_install "$top/.apt-updated" docker.io
        fi
        command -v dockerd >/dev/null 2>&1 ||
            die "dockerd not found (on Debian, as root: apt-get install docker.io)"
    fi
    [[ $(id -u) -eq 0 ]] || die "a private Docker engine needs root (dockerd runs as root)"
    mkdir -p "$dir" "$DATA_ROOT" "$(dirname "$LOCK")"
    # The lock is held by dockerd itself (it inherits fd 8) and so by the
    # engine's whole life: released however it ends.
    exec 8>"$LOCK"
    if ! flock -n 8; then
        log "another run's engine is up ($LOCK); waiting up to ${LOCK_TIMEOUT}s"
        flock -w "$LOCK_TIMEOUT" 8 ||
            die "another run's Docker engine stayed up for ${LOCK_TIMEOUT}s ($LOCK)"
    fi
    sock=$dir/docker.sock
    : >"$dir/dockerd.log"
    log "starting dockerd ($(dockerd --version 2>/dev/null | head -n1)), data in $DATA_ROOT"
    setsid dockerd --host "unix://$sock" --data-root "$DATA_ROOT" --exec-root "$dir/x" \
        --pidfile "$dir/dockerd.pid" --iptables=false --ip-masq=false --ip-forward=false \
        </dev/null >>"$dir/dockerd.log" 2>&1 &
    pid=$!
    # dockerd writes dockerd.pid itself (and refuses to start when it exists).
    echo "$pid" >"$dir/started.pid"
    exec 8>&-
    local status=0
    PID_TO_WATCH=$pid wait_until "$START_TIMEOUT" curl -fsS --max-time 2 \
        --unix-socket "$sock" http://localhost/_ping || status=$?
    if ((status != 0)); then
        log_tail "$dir/dockerd.log"
        stop_pid "$pid" 20
        if ((status == 2)); then die "dockerd exited during start-up"; fi
        die "dockerd did not answer within ${START_TIMEOUT}s"
    fi
    echo "DOCKER_HOST=unix://$sock"
}

stop() {
    local top=$1 dir pid
    dir=$top/docker
    [[ -d $dir ]] || return 0
    pid=$(cat "$dir/started.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && pid_alive "$pid"; then
        # Running containers are stopped by dockerd on its way out.
        stop_pid "$pid" 60
    fi
    # Its containerd, if it outlived dockerd.
    pid=$(cat "$dir/x/containerd/containerd.pid" 2>/dev/null || true)
    if [[ -n $pid ]] && pid_alive "$pid"; then stop_pid "$pid" 10; fi
    unmount_under "$dir"
    rm -rf "$dir" 2>/dev/null || {
        sleep 1
        unmount_under "$dir"
        rm -rf "$dir" || echo "dockerd.sh: could not remove all of $dir" >&2
    }
}

# Detaches every mount point below $1, deepest first: dockerd leaves network
# namespaces (netns) and overlay mounts behind that `umount -R` of one root
# does not reach, and `rm -rf` fails on them ("Device or resource busy").
unmount_under() {
    local root m
    root=$(realpath -m "$1")
    # /proc/mounts escapes spaces as \040; our directories have none.
    awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}

parse_args "$@"
"$1" "$2"

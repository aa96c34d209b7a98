# shellcheck shell=bash
# Shared helpers for the provision scripts: logging, free ports, the
# unprivileged service user, bounded waits, background starts and stops.
# Sourced, never run. Everything human-readable goes to stderr so that a
# script's stdout carries only its result (the server URL).

PROVISION_NAME=${PROVISION_NAME:-provision}

# Closes the file descriptors this script inherited beyond stdin, stdout
# and stderr (e.g. a caller's process-substitution pipe), so the servers we
# start do not hold them open for as long as they run. 255 is bash's own
# handle on the script.
close_inherited_fds() {
    local path fd
    for path in "/proc/$$/fd/"*; do
        fd=${path##*/}
        if [[ $fd =~ ^[0-9]+$ && -e $path ]] && ((fd > 2 && fd < 255)); then
            eval "exec $fd>&-"
        fi
    done
    return 0
}
close_inherited_fds

log() { printf '[%s] %s\n' "$PROVISION_NAME" "$*" >&2; }

die() {
    printf '[%s] error: %s\n' "$PROVISION_NAME" "$*" >&2
    exit 1
}

# Current time in milliseconds, for timings.
now_ms() { date +%s%3N; }

# Prints the last lines of a log file to stderr (used on failures).
log_tail() {
    local file=$1 n=${2:-30}
    if [[ -s $file ]]; then
        printf '[%s] --- last %s lines of %s ---\n' "$PROVISION_NAME" "$n" "$file" >&2
        tail -n "$n" "$file" >&2
        printf '[%s] --- end of log ---\n' "$PROVISION_NAME" >&2
    else
        printf '[%s] (log %s is empty or missing)\n' "$PROVISION_NAME" "$file" >&2
    fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
    local port=$1
    if command -v ss >/dev/null 2>&1; then
        [[ -n $(ss -Htln "sport = :$port" 2>/dev/null) ]] && return 0
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
# Random in 20000-59999 (below the usual ephemeral range, so clients'
# outgoing ports rarely collide with it).
free_port() {
    local port _
    for _ in $(seq 1 100); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    die "found no free TCP port on 127.0.0.1 after 100 tries"
}

# The account servers run as. Root cannot run initdb/postgres (they refuse)
# and should not run mariadbd, so as root we use a system user, creating it
# when missing. Outside root we run as ourselves.
SERVICE_USER_NAME=${TOASTY_TEST_SERVICE_USER:-toasty-test}

service_user() {
    if [[ $(id -u) -ne 0 ]]; then
        id -un
        return 0
    fi
    if ! id -u "$SERVICE_USER_NAME" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$SERVICE_USER_NAME" >/dev/null 2>&1 ||
            id -u "$SERVICE_USER_NAME" >/dev/null 2>&1 ||
            die "cannot create system user $SERVICE_USER_NAME (useradd failed)"
    fi
    echo "$SERVICE_USER_NAME"
}

# Sets the array SERVICE_USER_PREFIX to the command prefix that runs a
# program as the service user (empty when we are not root). setpriv and env
# both exec, so the pid of a background job is the server's own pid.
set_service_user_prefix() {
    local user
    user=$(service_user)
    if [[ $(id -u) -ne 0 ]]; then
        SERVICE_USER_PREFIX=()
    else
        SERVICE_USER_PREFIX=(setpriv "--reuid=$user" "--regid=$(id -g "$user")" --init-groups
            --reset-env -- env "PATH=$PATH" LANG=C.UTF-8)
    fi
}

# Runs a command as the service user (as-is when we are not root).
as_service_user() {
    set_service_user_prefix
    "${SERVICE_USER_PREFIX[@]}" "$@"
}

# Creates $1 owned by the service user and lets that user traverse its
# parent (mktemp gives 0700 directories owned by root).
make_service_dir() {
    local dir=$1 user
    user=$(service_user)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown "$user:$(id -g "$user")" "$dir"
        chmod 0700 "$dir"
        # Only the direct parent (our temp dir) is opened up; directories
        # above it are left alone.
        chmod o+x "$(dirname "$dir")" 2>/dev/null || true
        as_service_user test -w "$dir" ||
            die "user $user cannot reach $dir; use a temp dir under /tmp (set TMPDIR)"
    fi
}

# Starts a command in the background in its own session (so a Ctrl-C in
# the terminal does not hit it; whoever started it stops it), with output
# to $1, and prints its pid.
start_background() {
    local logfile=$1
    shift
    setsid "$@" </dev/null >>"$logfile" 2>&1 &
    echo $!
}

# Waits up to $1 seconds for `$2...` to succeed, polling every 0.1 s.
# Fails early when the process $PID_TO_WATCH (if set) has died.
wait_until() {
    local timeout=$1 deadline
    shift
    deadline=$(($(now_ms) + timeout * 1000))
    while (($(now_ms) < deadline)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        if [[ -n ${PID_TO_WATCH:-} ]] && ! pid_alive "$PID_TO_WATCH"; then
            return 2
        fi
        sleep 0.1
    done
    return 1
}

# True while process $1 exists and is not a zombie (an exited child that
# its parent, often pid 1, has not reaped yet: it holds no resources).
pid_alive() {
    local pid=$1 stat
    kill -0 "$pid" 2>/dev/null || return 1
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# Sends SIGTERM to pid $1, waits up to $2 seconds for it to exit, then
# SIGKILLs it. Silent when the process is already gone.
stop_pid() {
    local pid=$1 timeout=${2:-20} deadline
    [[ -n $pid ]] || return 0
    pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(($(now_ms) + timeout * 1000))
    while pid_alive "$pid" && (($(now_ms) < deadline)); do
        sleep 0.1
    done
    if pid_alive "$pid"; then
        log "pid $pid did not stop within ${timeout}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
}

# apt-get update, at most once per marker file ($1), then install $2...
# Only as root. Keeps package maintainer scripts from starting services
# (we start our own servers) with a temporary policy-rc.d.
apt_install() {
    local marker=$1
    shift
    [[ $(id -u) -eq 0 ]] || die "installing $* needs root"
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
    export DEBIAN_FRONTEND=noninteractive
    local aptlog
    aptlog=$(dirname "$marker")/apt.log
    if [[ ! -e $marker ]]; then
        log "apt-get update (output in $aptlog)"
        apt-get update >>"$aptlog" 2>&1 || {
            log_tail "$aptlog" 15
            die "apt-get update failed"
        }
        touch "$marker"
    fi
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        created_policy=1
    fi
    log "apt-get install -y --no-install-recommends $*"
    local rc=0
    apt-get install -y --no-install-recommends "$@" >>"$aptlog" 2>&1 || rc=$?
    if ((created_policy)); then rm -f "$policy"; fi
    if ((rc != 0)); then
        log_tail "$aptlog" 20
        die "apt-get install $* failed (exit $rc)"
    fi
}

# TLS for a server: when TOASTY_PROVISION_TLS_CERT and TOASTY_PROVISION_TLS_KEY
# name a PEM certificate (chain) and its private key, copies them to $1/tls
# (server.crt, server.key: owned by the service user, the key readable by it
# only, as PostgreSQL demands) and prints that directory; otherwise removes
# $1/tls and prints nothing. The servers turn TLS on when it is printed.
install_tls_files() {
    local dir=$1 cert=${TOASTY_PROVISION_TLS_CERT:-} key=${TOASTY_PROVISION_TLS_KEY:-} user
    rm -rf "$dir/tls"
    if [[ -z $cert && -z $key ]]; then
        return 0
    fi
    [[ -n $cert && -n $key ]] ||
        die "set both TOASTY_PROVISION_TLS_CERT and TOASTY_PROVISION_TLS_KEY (or neither)"
    [[ -r $cert ]] || die "TOASTY_PROVISION_TLS_CERT: cannot read $cert"
    [[ -r $key ]] || die "TOASTY_PROVISION_TLS_KEY: cannot read $key"
    user=$(service_user)
    mkdir -p "$dir/tls"
    cp "$cert" "$dir/tls/server.crt"
    cp "$key" "$dir/tls/server.key"
    chmod 0644 "$dir/tls/server.crt"
    chmod 0600 "$dir/tls/server.key"
    if [[ $(id -u) -eq 0 ]]; then
        chown -R "$user:$(id -g "$user")" "$dir/tls"
    fi
    echo "$dir/tls"
}

# Checks the usage of a provision script: `<command> <dir>`, where the
# commands are `start` and `stop` plus any the script lists in
# PROVISION_EXTRA_COMMANDS (e.g. mariadb.sh's `kill` and `restart`).
parse_args() {
    local commands="start stop${PROVISION_EXTRA_COMMANDS:+ $PROVISION_EXTRA_COMMANDS}"
    if [[ $# -ne 2 || " $commands " != *" $1 "* ]]; then
        echo "usage: $0 ${commands// /|} <dir>" >&2
        exit 2
    fi
}

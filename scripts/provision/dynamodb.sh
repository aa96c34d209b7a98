#!/usr/bin/env bash
# Starts or stops a DynamoDB emulator (moto's server mode) for the tests.
#
#   dynamodb.sh start <dir>   start moto_server under <dir>/dynamodb, print the URL
#   dynamodb.sh stop <dir>    stop it and remove <dir>/dynamodb
#
# moto is installed from PyPI (pip install 'moto[server,dynamodb]==<pinned>')
# into a virtualenv under $HOME/.cache/toasty/moto-venv (override with
# TOASTY_MOTO_VENV) the first time, and reused afterwards; as root on Debian,
# python3 and python3-venv are installed first when missing. Clients may use
# any access key and region.
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.sh
PROVISION_NAME=dynamodb
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_TIMEOUT=${TOASTY_PROVISION_TIMEOUT:-60}
MOTO_SPEC=${TOASTY_MOTO_SPEC:-moto[server,dynamodb]==5.2.5}
VENV=${TOASTY_MOTO_VENV:-$HOME/.cache/toasty/moto-venv}
PYTHON=${TOASTY_PYTHON:-python3}

# Creates the venv and installs moto unless the wanted version is there.
ensure_moto() {
    local logfile=$1 marker=$VENV/.toasty-moto-spec
    mkdir -p "$(dirname "$VENV")"
    # One installer at a time; a second run waits for the first.
    exec 9>"$VENV.lock"
    flock -w 600 9 || die "timed out waiting for another moto install ($VENV.lock)"
    if [[ -x $VENV/bin/moto_server && $(cat "$marker" 2>/dev/null) == "$MOTO_SPEC" ]]; then
        exec 9>&-
        return 0
    fi
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        # A fresh Debian machine as root: install Python (apt_install dies otherwise).
        apt_install "$(dirname "$logfile")/.apt-updated" python3 python3-venv
    fi
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; moto needs Python 3.9+"
    log "installing $MOTO_SPEC into $VENV (output in $logfile)"
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV" >>"$logfile" 2>&1; then
        rm -rf "$VENV"
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
            # Debian splits venv (and ensurepip) out of python3.
            apt_install "$(dirname "$logfile")/.apt-updated" python3-venv
            "$PYTHON" -m venv "$VENV" >>"$logfile" 2>&1 || {
                log_tail "$logfile" 10
                die "could not create a virtualenv with $PYTHON -m venv even after installing python3-venv"
            }
        else
            log_tail "$logfile" 10
            die "could not create a virtualenv with $PYTHON -m venv (on Debian: apt-get install python3-venv)"
        fi
    fi
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q \
        "$MOTO_SPEC" >>"$logfile" 2>&1 || {
        log_tail "$logfile" 20
        rm -rf "$VENV"
        die "pip install $MOTO_SPEC failed"
    }
    echo "$MOTO_SPEC" >"$marker"
    exec 9>&-
}

# One DynamoDB ListTables call, as an SDK would send it (moto does not
# check signatures, but wants the header shapes).
list_tables() {
    local port=$1
    curl -fsS --max-time 2 -X POST "http://127.0.0.1:$port/" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-target, Signature=00' \
        -d '{}'
}

start() {
    local top=$1 dir port url pid status
    dir=$top/dynamodb
    [[ ! -e $dir/moto.pid ]] || die "$dir already has a server; stop it first"
    mkdir -p "$dir"
    command -v curl >/dev/null 2>&1 || die "curl not found (needed to check the emulator answers)"
    ensure_moto "$dir/install.log"

    local attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        echo "$port" >"$dir/port"
        : >"$dir/server.log"
        pid=$(start_background "$dir/server.log" env AWS_DEFAULT_REGION=us-east-1 \
            "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port")
        echo "$pid" >"$dir/moto.pid"
        status=0
        PID_TO_WATCH=$pid wait_until "$START_TIMEOUT" list_tables "$port" || status=$?
        ((status == 0)) && break
        if ((status == 2)) && grep -qi 'address already in use' "$dir/server.log" && ((attempt < 3)); then
            log "port $port was taken meanwhile; retrying"
            continue
        fi
        stop_pid "$pid" 5
        log_tail "$dir/server.log"
        if ((status == 2)); then die "moto_server exited during start-up"; fi
        die "moto_server did not answer within ${START_TIMEOUT}s"
    done

    url="http://127.0.0.1:$port"
    echo "$url" >"$dir/url"
    echo "$url"
}

stop() {
    local top=$1 dir
    dir=$top/dynamodb
    [[ -d $dir ]] || return 0
    if [[ -s $dir/moto.pid ]]; then
        stop_pid "$(cat "$dir/moto.pid")" 10
    fi
    rm -rf "$dir"
}

parse_args "$@"
"$1" "$2"

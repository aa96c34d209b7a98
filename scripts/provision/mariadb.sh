#!/usr/bin/env bash
# Starts or stops a throwaway MariaDB server (the MySQL backend's tests).
#
#   mariadb.sh start <dir>    init + start under <dir>/mariadb, print the URL
#   mariadb.sh stop <dir>     stop it and remove <dir>/mariadb
#   mariadb.sh kill <dir>     SIGKILL the server, as in a crash (data stays)
#   mariadb.sh restart <dir>  start a killed or stopped server again on the
#                             same data and port; print the URL
#
# With TOASTY_PROVISION_TLS_CERT and TOASTY_PROVISION_TLS_KEY (PEM files) set,
# `start` and `restart` turn TLS on with that certificate (plain text stays
# allowed); without them the server has no TLS.
#
# Installs Debian's mariadb-server when mariadbd is missing and we are root.
# The server listens on 127.0.0.1 only, on a free port, with durability off
# and small buffers. User `toasty` (password `toasty`) has all privileges,
# so it owns the database `toasty` and may create more.
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.sh
PROVISION_NAME=mariadb
# shellcheck disable=SC2034 # read by lib.sh
PROVISION_EXTRA_COMMANDS="kill restart"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_TIMEOUT=${TOASTY_PROVISION_TIMEOUT:-60}
PATH=$PATH:/usr/sbin:/usr/local/sbin

have_binaries() {
    command -v mariadbd >/dev/null 2>&1 &&
        command -v mariadb-install-db >/dev/null 2>&1 &&
        command -v mariadb >/dev/null 2>&1
}

# Client invocation over the unix socket as the server's root account.
root_sql() {
    local dir=$1
    shift
    mariadb --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot "$@"
}

# Starts mariadbd in the background on data dir $1/data and port $2, records
# its pid in $1/launcher.pid and prints it.
launch() {
    local dir=$1 port=$2 pid tls=()
    if [[ -d $dir/tls ]]; then
        tls=("--ssl-cert=$dir/tls/server.crt" "--ssl-key=$dir/tls/server.key")
    fi
    set_service_user_prefix
    pid=$(start_background "$dir/server.log" "${SERVICE_USER_PREFIX[@]}" mariadbd --no-defaults \
        --datadir="$dir/data" --tmpdir="$dir/tmp" \
        --socket="$dir/mysqld.sock" --pid-file="$dir/mariadbd.pid" \
        --bind-address=127.0.0.1 --port="$port" \
        --skip-name-resolve --skip-symbolic-links --skip-log-bin \
        --performance-schema=OFF \
        --innodb-buffer-pool-size=64M --innodb-log-file-size=32M \
        --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
        --innodb-flush-method=nosync --sync-binlog=0 \
        --max-connections=300 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        --default-time-zone=+00:00 "${tls[@]}")
    echo "$pid" >"$dir/launcher.pid"
    echo "$pid"
}

start() {
    local top=$1 dir port url pid
    dir=$top/mariadb
    [[ ! -e $dir/data ]] || die "$dir/data already exists; stop it first"

    if ! have_binaries; then
        if [[ $(id -u) -eq 0 ]]; then
            apt_install "$top/.apt-updated" mariadb-server mariadb-client
            have_binaries || die "mariadb-server installed but mariadbd/mariadb-install-db not found"
        else
            die "mariadbd not found and not root to install it (install mariadb-server, or set TOASTY_TEST_MYSQL_URL)"
        fi
    fi
    log "using $(mariadbd --version 2>/dev/null | head -n1)"

    make_service_dir "$dir"
    as_service_user mkdir -p "$dir/tmp"
    local sock=$dir/mysqld.sock
    ((${#sock} < 100)) || die "socket path $sock is too long; use a shorter temp dir"

    as_service_user mariadb-install-db --no-defaults --datadir="$dir/data" \
        --tmpdir="$dir/tmp" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve \
        "--innodb-buffer-pool-size=32M" "--innodb-log-file-size=32M" \
        >"$dir/install-db.log" 2>&1 || {
        log_tail "$dir/install-db.log"
        die "mariadb-install-db failed"
    }

    install_tls_files "$dir" >/dev/null

    local attempt status
    for attempt in 1 2 3; do
        port=$(free_port)
        echo "$port" >"$dir/port"
        : >"$dir/server.log"
        chown "$(service_user):" "$dir/server.log" 2>/dev/null || true
        pid=$(launch "$dir" "$port")
        status=0
        PID_TO_WATCH=$pid wait_until "$START_TIMEOUT" root_sql "$dir" -e 'SELECT 1' || status=$?
        ((status == 0)) && break
        if ((status == 2)) && grep -qi 'address already in use' "$dir/server.log" && ((attempt < 3)); then
            log "port $port was taken meanwhile; retrying"
            continue
        fi
        stop_pid "$pid" 5
        log_tail "$dir/server.log"
        if ((status == 2)); then die "mariadbd exited during start-up"; fi
        die "MariaDB did not answer within ${START_TIMEOUT}s"
    done

    root_sql "$dir" >"$dir/setup.log" 2>&1 <<'SQL' || {
CREATE USER 'toasty'@'%' IDENTIFIED BY 'toasty';
CREATE USER 'toasty'@'localhost' IDENTIFIED BY 'toasty';
GRANT ALL PRIVILEGES ON *.* TO 'toasty'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'toasty'@'localhost' WITH GRANT OPTION;
CREATE DATABASE toasty;
SQL
        log_tail "$dir/setup.log"
        die "could not create user/database toasty"
    }
    mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -utoasty -ptoasty toasty \
        -e 'SELECT 1' >/dev/null 2>>"$dir/setup.log" || {
        log_tail "$dir/setup.log"
        die "user toasty cannot log in over TCP"
    }

    url="mysql://toasty:toasty@127.0.0.1:$port/toasty"
    echo "$url" >"$dir/url"
    echo "$url"
}

stop() {
    local top=$1 dir pid
    dir=$top/mariadb
    [[ -d $dir ]] || return 0
    for f in mariadbd.pid launcher.pid; do
        if [[ -s $dir/$f ]]; then
            pid=$(cat "$dir/$f")
            stop_pid "$pid" 30
        fi
    done
    rm -rf "$dir"
}

# The pid of the running server under $1 (from its pid files), if any.
server_pid() {
    local dir=$1 f pid
    for f in mariadbd.pid launcher.pid; do
        [[ -s $dir/$f ]] || continue
        pid=$(cat "$dir/$f")
        if pid_alive "$pid"; then
            echo "$pid"
            return 0
        fi
    done
    return 1
}

pid_gone() { ! pid_alive "$1"; }

# Kills the server abruptly (SIGKILL: no shutdown, clients see their
# connections reset) and waits until it is gone. Data and port stay, for
# `restart`. What InnoDB had not yet written out (up to about a second of
# commits with innodb_flush_log_at_trx_commit=0) is lost, as in a crash.
kill_server() {
    local top=$1 dir pid
    dir=$top/mariadb
    [[ -d $dir/data ]] || die "no server under $dir"
    pid=$(server_pid "$dir") || die "the server under $dir is not running"
    kill -KILL "$pid"
    wait_until 10 pid_gone "$pid" || die "pid $pid survived SIGKILL for 10s"
    log "killed mariadbd (pid $pid)"
}

# Starts the server under $1 again (after `kill`, or a crash) on its data
# dir and port, waits until it answers and prints the URL.
restart_server() {
    local top=$1 dir port pid status=0
    dir=$top/mariadb
    [[ -d $dir/data && -s $dir/port ]] || die "no server under $dir; use start"
    if pid=$(server_pid "$dir"); then die "the server under $dir is still running (pid $pid)"; fi
    port=$(cat "$dir/port")
    port_in_use "$port" && die "port $port is taken by another process"
    install_tls_files "$dir" >/dev/null
    pid=$(launch "$dir" "$port")
    PID_TO_WATCH=$pid wait_until "$START_TIMEOUT" root_sql "$dir" -e 'SELECT 1' || status=$?
    if ((status != 0)); then
        stop_pid "$pid" 5
        log_tail "$dir/server.log"
        if ((status == 2)); then die "mariadbd exited during restart"; fi
        die "MariaDB did not answer within ${START_TIMEOUT}s of the restart"
    fi
    cat "$dir/url"
}

parse_args "$@"
case $1 in
kill) kill_server "$2" ;;
restart) restart_server "$2" ;;
*) "$1" "$2" ;;
esac

#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server for the tests.
#
#   postgres.sh start <dir>   init + start under <dir>/postgres, print the URL
#   postgres.sh stop <dir>    stop it and remove <dir>/postgres
#
# With TOASTY_PROVISION_TLS_CERT and TOASTY_PROVISION_TLS_KEY (PEM files) set,
# the server also accepts TLS with that certificate (ssl=on; plain text stays
# allowed).
#
# The server listens on 127.0.0.1 only, on a free port, with fsync off
# (test data is disposable). The superuser `toasty` (password `toasty`)
# owns the database `toasty` and may create more.
set -euo pipefail
# shellcheck disable=SC2034 # read by lib.sh
PROVISION_NAME=postgres
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_TIMEOUT=${TOASTY_PROVISION_TIMEOUT:-60}

# Prints the directory holding initdb, pg_ctl and postgres that work.
find_bindir() {
    local candidates=() d
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    if command -v initdb >/dev/null 2>&1; then
        candidates+=("$(dirname "$(realpath "$(command -v initdb)")")")
    fi
    # Debian layout, newest version first.
    while IFS= read -r d; do candidates+=("$d"); done < <(
        printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4 -V -r
    )
    for d in "${candidates[@]}"; do
        [[ -n $d && -x $d/initdb && -x $d/pg_ctl && -x $d/postgres ]] || continue
        "$d/postgres" --version >/dev/null 2>&1 || continue
        echo "$d"
        return 0
    done
    return 1
}

start() {
    local top=$1 dir bindir user port pwfile url
    dir=$top/postgres
    [[ ! -e $dir/data ]] || die "$dir/data already exists; stop it first"

    if ! bindir=$(find_bindir); then
        if [[ $(id -u) -eq 0 ]]; then
            apt_install "$top/.apt-updated" postgresql
            bindir=$(find_bindir) || die "PostgreSQL installed but initdb/pg_ctl/postgres not found"
        else
            die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found and not root to install them"
        fi
    fi
    log "using $("$bindir/postgres" --version) from $bindir"

    user=$(service_user)
    make_service_dir "$dir"
    pwfile=$dir/pwfile
    echo toasty >"$pwfile"
    [[ $(id -u) -ne 0 ]] || chown "$user:" "$pwfile"

    # --no-sync: do not fsync the new cluster; it is thrown away anyway.
    as_service_user "$bindir/initdb" -D "$dir/data" --username=toasty \
        --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C --no-sync --no-instructions \
        >"$dir/initdb.log" 2>&1 || {
        log_tail "$dir/initdb.log"
        die "initdb failed"
    }
    rm -f "$pwfile"
    local tls
    tls=$(install_tls_files "$dir")
    if [[ -n $tls ]]; then
        # In postgresql.conf rather than on the command line, so that ALTER SYSTEM
        # and a reload can turn TLS off again (the TLS test does).
        printf "ssl = on\nssl_cert_file = '%s'\nssl_key_file = '%s'\n" \
            "$tls/server.crt" "$tls/server.key" >>"$dir/data/postgresql.conf"
    fi

    local attempt
    for attempt in 1 2 3; do
        port=$(free_port)
        echo "$port" >"$dir/port"
        # -w: pg_ctl waits until the server accepts connections.
        if as_service_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
            -w -t "$START_TIMEOUT" -s start -o "$(server_opts "$dir" "$port")" \
            >>"$dir/pg_ctl.log" 2>&1; then
            break
        fi
        if grep -qi 'address already in use' "$dir/server.log" 2>/dev/null && ((attempt < 3)); then
            log "port $port was taken meanwhile; retrying"
            continue
        fi
        log_tail "$dir/pg_ctl.log" 10
        log_tail "$dir/server.log"
        die "PostgreSQL did not start within ${START_TIMEOUT}s"
    done

    as_service_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" \
        -U toasty -d postgres -c 'CREATE DATABASE toasty OWNER toasty' \
        >>"$dir/psql.log" 2>&1 || {
        log_tail "$dir/psql.log"
        die "could not create database toasty"
    }
    echo "$bindir" >"$dir/bindir"

    url="postgres://toasty:toasty@127.0.0.1:$port/toasty"
    echo "$url" >"$dir/url"
    echo "$url"
}

# Server settings for speed: nothing is durable, nothing is logged that
# the tests do not need.
server_opts() {
    local dir=$1 port=$2
    printf '%s ' \
        "-c listen_addresses=127.0.0.1" \
        "-c port=$port" \
        "-c unix_socket_directories=$dir" \
        "-c fsync=off" \
        "-c synchronous_commit=off" \
        "-c full_page_writes=off" \
        "-c max_connections=200" \
        "-c shared_buffers=64MB" \
        "-c max_wal_size=1GB" \
        "-c autovacuum=off" \
        "-c logging_collector=off" \
        "-c log_min_messages=warning" \
        "-c timezone=UTC"
}

stop() {
    local top=$1 dir bindir
    dir=$top/postgres
    [[ -d $dir ]] || return 0
    if [[ -f $dir/data/postmaster.pid ]]; then
        local pid
        pid=$(head -n1 "$dir/data/postmaster.pid")
        bindir=$(cat "$dir/bindir" 2>/dev/null || find_bindir || true)
        if [[ -n $bindir ]]; then
            # fast: roll back open transactions and disconnect clients.
            as_service_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 20 -s stop \
                >>"$dir/pg_ctl.log" 2>&1 || true
        fi
        stop_pid "$pid" 10
    fi
    rm -rf "$dir"
}

parse_args "$@"
"$1" "$2"

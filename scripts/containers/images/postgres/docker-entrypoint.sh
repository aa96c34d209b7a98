#!/usr/bin/env bash
# Entrypoint of the stand-in postgres image: what the official image's
# docker-entrypoint.sh does, for the parts Toasty's tests and compose.yaml use.
#
# On the first start (no $PGDATA/PG_VERSION) it runs initdb with superuser
# POSTGRES_USER (default postgres) and password POSTGRES_PASSWORD, lets every
# host in with POSTGRES_HOST_AUTH_METHOD (default scram-sha-256), creates
# POSTGRES_DB (default: the user's name) and runs /docker-entrypoint-initdb.d
# (*.sh sourced, *.sql and *.sql.gz through psql) on a server that listens on
# the socket only. Then it runs the command, as user postgres; arguments
# starting with `-` are options for `postgres`.
set -Eeuo pipefail

if [[ ${1:0:1} == - ]]; then
    set -- postgres "$@"
fi

if [[ $1 == postgres && $(id -u) == 0 ]]; then
    # The data dir may be a fresh tmpfs owned by root.
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
fi

init_database() {
    local user=${POSTGRES_USER:-postgres} auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    local db=${POSTGRES_DB:-${POSTGRES_USER:-postgres}} pwfile="" f
    if [[ -z ${POSTGRES_PASSWORD:-} && $auth != trust ]]; then
        echo 'error: the database is uninitialized and POSTGRES_PASSWORD is not set' \
            '(set it, or POSTGRES_HOST_AUTH_METHOD=trust)' >&2
        exit 1
    fi
    local initdb_args=(--username="$user" -D "$PGDATA" --auth-local=trust --auth-host="$auth")
    if [[ -n ${POSTGRES_PASSWORD:-} ]]; then
        pwfile=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        initdb_args+=(--pwfile="$pwfile")
    fi
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words, as in the official image
    initdb "${initdb_args[@]}" ${POSTGRES_INITDB_ARGS:-}
    [[ -z $pwfile ]] || rm -f "$pwfile"
    printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    local psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$user" --no-password)
    if [[ $db != postgres ]]; then
        "${psql[@]}" --dbname postgres --set db="$db" <<<'CREATE DATABASE :"db";'
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        [[ -e $f ]] || continue
        case $f in
        *.sh)
            echo "running $f"
            # shellcheck disable=SC1090
            . "$f"
            ;;
        *.sql)
            echo "running $f"
            "${psql[@]}" --dbname "$db" -f "$f"
            ;;
        *.sql.gz)
            echo "running $f"
            gunzip -c "$f" | "${psql[@]}" --dbname "$db"
            ;;
        *) echo "ignoring $f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo 'PostgreSQL init process complete; ready for start up.'
}

if [[ $1 == postgres && ! -s $PGDATA/PG_VERSION ]]; then
    init_database
fi

exec "$@"

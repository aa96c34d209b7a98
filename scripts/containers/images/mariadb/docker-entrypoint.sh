#!/usr/bin/env bash
# Entrypoint of the stand-in mysql image (MariaDB): what the official mysql
# image's entrypoint does, for the parts Toasty's tests and compose.yaml use.
#
# On the first start (no /var/lib/mysql/mysql) it initializes the data dir,
# sets root's password to MYSQL_ROOT_PASSWORD (or allows an empty one with
# MYSQL_ALLOW_EMPTY_PASSWORD), creates MYSQL_DATABASE and MYSQL_USER (password
# MYSQL_PASSWORD, all rights on MYSQL_DATABASE) and runs
# /docker-entrypoint-initdb.d (*.sh sourced, *.sql and *.sql.gz as root), on
# a server without networking. Then it runs the command as user mysql;
# arguments starting with `-` are options for the server (`mysqld` means
# mariadbd).
set -Eeuo pipefail

if [[ ${1:0:1} == - ]]; then
    set -- mariadbd "$@"
fi
if [[ $1 == mysqld ]]; then
    set -- mariadbd "${@:2}"
fi

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

if [[ $1 == mariadbd && $(id -u) == 0 ]]; then
    # The data dir may be a fresh tmpfs owned by root.
    mkdir -p "$DATADIR" /run/mysqld
    chown -R mysql:mysql "$DATADIR" /run/mysqld
    exec setpriv --reuid=mysql --regid=mysql --init-groups -- "${BASH_SOURCE[0]}" "$@"
fi

# A string as an SQL literal's contents (quotes and backslashes escaped).
sql_escape() {
    local s=${1//\\/\\\\}
    printf '%s' "${s//\'/\\\'}"
}

init_database() {
    local root_pw=${MYSQL_ROOT_PASSWORD:-} pid i f
    if [[ -z $root_pw && -z ${MYSQL_ALLOW_EMPTY_PASSWORD:-} ]]; then
        echo 'error: the database is uninitialized and MYSQL_ROOT_PASSWORD is not set' \
            '(or MYSQL_ALLOW_EMPTY_PASSWORD)' >&2
        exit 1
    fi
    echo 'initializing the database'
    mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
        --skip-test-db --skip-name-resolve >/dev/null
    "$@" --skip-networking --socket="$SOCKET" &
    pid=$!
    for ((i = 0; i < 300; i++)); do
        mariadb-admin --no-defaults --socket="$SOCKET" -uroot ping >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || {
            echo 'error: the server exited during initialization' >&2
            exit 1
        }
        sleep 0.1
    done
    local mysql=(mariadb --no-defaults --protocol=socket --socket="$SOCKET" -uroot)
    {
        echo "DELETE FROM mysql.global_priv WHERE User = '';"
        echo "DELETE FROM mysql.global_priv WHERE User = 'root' AND Host NOT IN ('localhost');"
        echo "FLUSH PRIVILEGES;"
        echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql_escape "$root_pw")';"
        echo "CREATE USER 'root'@'%' IDENTIFIED BY '$(sql_escape "$root_pw")';"
        echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
        if [[ -n ${MYSQL_DATABASE:-} ]]; then
            echo "CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE//\`/\`\`}\`;"
        fi
        if [[ -n ${MYSQL_USER:-} ]]; then
            echo "CREATE USER '$(sql_escape "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_escape "${MYSQL_PASSWORD:-}")';"
            if [[ -n ${MYSQL_DATABASE:-} ]]; then
                echo "GRANT ALL ON \`${MYSQL_DATABASE//\`/\`\`}\`.* TO '$(sql_escape "$MYSQL_USER")'@'%';"
            fi
        fi
        echo "FLUSH PRIVILEGES;"
    } | "${mysql[@]}"
    mysql+=("--password=$root_pw")
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
            "${mysql[@]}" ${MYSQL_DATABASE:+"$MYSQL_DATABASE"} <"$f"
            ;;
        *.sql.gz)
            echo "running $f"
            gunzip -c "$f" | "${mysql[@]}" ${MYSQL_DATABASE:+"$MYSQL_DATABASE"}
            ;;
        *) echo "ignoring $f" ;;
        esac
    done
    mariadb-admin --no-defaults --socket="$SOCKET" -uroot "--password=$root_pw" shutdown
    wait "$pid" || true
    echo 'MySQL init process done. Ready for start up.'
}

if [[ $1 == mariadbd && ! -d $DATADIR/mysql ]]; then
    init_database "$@"
fi

exec "$@"

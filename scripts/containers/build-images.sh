#!/usr/bin/env bash
# Builds stand-in images for the server backends' containers, for machines
# where the official images (postgres:16, mysql:8.4, amazon/dynamodb-local)
# cannot be pulled: everything comes from Debian's packages and PyPI.
#
#   scripts/containers/build-images.sh [postgres|mysql|dynamodb ...]
#
# With no argument all three are built. Each image is
#   - a debootstrap'd Debian base (minbase; the Debian release is that of
#     TOASTY_DEBIAN_SUITE, default bookworm), imported with `docker import`;
#   - postgres: Debian's PostgreSQL (15 on bookworm), with an entrypoint that
#     does what the official image's does for POSTGRES_USER, POSTGRES_PASSWORD,
#     POSTGRES_DB, POSTGRES_HOST_AUTH_METHOD, POSTGRES_INITDB_ARGS and
#     /docker-entrypoint-initdb.d (*.sql, *.sql.gz, *.sh), `postgres -c ...`
#     as the command, port 5432, data in /var/lib/postgresql/data;
#   - mysql: Debian's MariaDB (10.11 on bookworm), with an entrypoint that
#     does what the official mysql image's does for MYSQL_ROOT_PASSWORD,
#     MYSQL_ALLOW_EMPTY_PASSWORD, MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD and
#     /docker-entrypoint-initdb.d, server options as the command
#     (`--innodb-...`), port 3306, data in /var/lib/mysql;
#   - dynamodb: moto's server mode (TOASTY_MOTO_SPEC, by default the version
#     scripts/provision/dynamodb.sh installs), taking DynamoDB Local's command
#     line (`-jar DynamoDBLocal.jar -inMemory -sharedDb [-port N]`), port 8000.
#
# The images are tagged with the names the containers code uses when these
# variables are set, so that the tests pick them up:
#   TOASTY_IMAGE_POSTGRES   default toasty-standin/postgres:15
#   TOASTY_IMAGE_MYSQL      default toasty-standin/mariadb:10.11
#   TOASTY_IMAGE_DYNAMODB   default toasty-standin/dynamodb-moto:5.2.5
#   TOASTY_IMAGE_BASE       default toasty-standin/debian:bookworm
# (the defaults are not the official names, so that building on a machine
# that has the real images never shadows them). Progress goes to stderr; stdout
# gets one `TOASTY_IMAGE_<NAME>=<tag>` line per image built or kept, for
# scripts/test to export.
#
# Fast path: an image whose label dev.toasty.standin.inputs equals the hash
# of what it is built from (its directory under images/, the base image, the
# moto version) is kept as is; a run where all are up to date takes a second.
# The Docker engine is the one `docker` talks to (DOCKER_HOST); as root on
# Debian, debootstrap is installed with apt when missing. Builds use the
# host's network (`--network host`); pip inside the build trusts the host's CA
# bundle (PIP_CERT / SSL_CERT_FILE), which does not end up in the image.
#
# Environment: TOASTY_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# TOASTY_DEBIAN_SUITE (default bookworm), TOASTY_MOTO_SPEC. See docs/testing.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
IMAGES=$HERE/images

MIRROR=${TOASTY_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${TOASTY_DEBIAN_SUITE:-bookworm}
MOTO_SPEC=${TOASTY_MOTO_SPEC:-moto[server,dynamodb]==5.2.5}
BASE_TAG=${TOASTY_IMAGE_BASE:-toasty-standin/debian:$SUITE}
LABEL=dev.toasty.standin.inputs

say() { printf '[images] %s\n' "$*" >&2; }
die() {
    printf '[images] error: %s\n' "$*" >&2
    exit 1
}
now_ms() { date +%s%3N; }
secs() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# The tag an image is built under (the containers code reads the same variables).
tag_for() {
    case $1 in
    postgres) echo "${TOASTY_IMAGE_POSTGRES:-toasty-standin/postgres:15}" ;;
    mysql) echo "${TOASTY_IMAGE_MYSQL:-toasty-standin/mariadb:10.11}" ;;
    dynamodb) echo "${TOASTY_IMAGE_DYNAMODB:-toasty-standin/dynamodb-moto:${MOTO_SPEC##*==}}" ;;
    esac
}

# The variable naming image $1's tag.
var_for() {
    case $1 in
    postgres) echo TOASTY_IMAGE_POSTGRES ;;
    mysql) echo TOASTY_IMAGE_MYSQL ;;
    dynamodb) echo TOASTY_IMAGE_DYNAMODB ;;
    esac
}

# The directory under images/ an image is built from.
dir_for() {
    case $1 in
    postgres) echo "$IMAGES/postgres" ;;
    mysql) echo "$IMAGES/mariadb" ;;
    dynamodb) echo "$IMAGES/dynamodb" ;;
    esac
}

# The label value of image $1, empty when it does not exist.
label_of() {
    docker image inspect --format "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true
}

# The hash of what image $1 is built from: its files, the base image's id and
# the build arguments.
inputs_of() {
    local name=$1 dir base_id
    dir=$(dir_for "$name")
    base_id=$(docker image inspect --format '{{.Id}}' "$BASE_TAG")
    {
        echo "$base_id $SUITE $MOTO_SPEC"
        (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -c1-16
}

# The base: debootstrap (minbase) into a temp dir, a few container settings,
# `docker import`. Kept when it exists (its inputs are only the suite and
# this function, whose version is the label).
BASE_RECIPE=1
build_base() {
    local root t0
    if [[ $(label_of "$BASE_TAG") == "base-$SUITE-$BASE_RECIPE" ]]; then
        say "base $BASE_TAG is up to date"
        return 0
    fi
    if ! command -v debootstrap >/dev/null 2>&1; then
        if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
            die "debootstrap not found (apt-get install debootstrap, as root)"
        fi
        say "installing debootstrap with apt"
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap \
            >&2 || {
            apt-get update >&2 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
                    debootstrap >&2
        } || die "could not install debootstrap"
    fi
    [[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
    t0=$(now_ms)
    root=$(mktemp -d "${TMPDIR:-/tmp}/toasty-rootfs.XXXXXX")
    # shellcheck disable=SC2064 # expand now: $root is local
    trap "rm -rf '$root'" EXIT
    say "debootstrap --variant=minbase $SUITE from $MIRROR (about a minute)"
    debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 || {
        tail -n 20 "$root.log" >&2
        rm -f "$root.log"
        die "debootstrap failed"
    }
    rm -f "$root.log"
    # As Debian's own container images: no services started by package
    # scripts, no recommends, no caches kept, all of the release's updates.
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 0755 "$root/usr/sbin/policy-rc.d"
    cat >"$root/etc/apt/apt.conf.d/90toasty-standin" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
EOF
    cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
EOF
    rm -rf "${root:?}"/var/lib/apt/lists/* "${root:?}"/var/cache/apt/archives/*.deb \
        "${root:?}"/var/log/*.log "${root:?}"/dev/* "${root:?}"/proc/* "${root:?}"/sys/*
    say "importing the base as $BASE_TAG"
    tar --numeric-owner -C "$root" -c . |
        docker import \
            --change "LABEL $LABEL=base-$SUITE-$BASE_RECIPE" \
            --change 'ENV LANG=C.UTF-8' \
            --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["bash"]' \
            - "$BASE_TAG" >/dev/null || die "docker import failed"
    rm -rf "$root"
    trap - EXIT
    say "base built in $(secs $(($(now_ms) - t0)))"
}

# Builds image $1 unless its label says it is up to date.
build_image() {
    local name=$1 tag dir inputs ctx t0 ca args=()
    tag=$(tag_for "$name")
    dir=$(dir_for "$name")
    inputs=$(inputs_of "$name")
    if [[ $(label_of "$tag") == "$inputs" ]]; then
        say "$name: $tag is up to date"
        return 0
    fi
    t0=$(now_ms)
    ctx=$(mktemp -d "${TMPDIR:-/tmp}/toasty-image.XXXXXX")
    cp -a "$dir/." "$ctx/"
    if [[ $name == dynamodb ]]; then
        # Only a build stage sees it (see the Dockerfile).
        ca=${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}
        if [[ -r $ca ]]; then cp "$ca" "$ctx/host-ca.crt"; else : >"$ctx/host-ca.crt"; fi
        args+=(--build-arg "MOTO_SPEC=$MOTO_SPEC")
    fi
    for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
        if [[ -n ${!v:-} ]]; then args+=(--build-arg "$v=${!v}"); fi
    done
    say "$name: building $tag from $dir (Debian packages$([[ $name == dynamodb ]] && echo ' and PyPI'))"
    if ! DOCKER_BUILDKIT=0 docker build --network host --force-rm --quiet \
        --build-arg "BASE=$BASE_TAG" "${args[@]}" \
        --label "$LABEL=$inputs" -t "$tag" "$ctx" >"$ctx.log" 2>&1; then
        tail -n 30 "$ctx.log" >&2
        rm -rf "$ctx" "$ctx.log"
        die "building $tag failed"
    fi
    rm -rf "$ctx" "$ctx.log"
    # The multi-stage build leaves its build stage behind, untagged (with the
    # host's CA bundle in it): remove it, and anything else of ours untagged.
    docker image prune -f --filter "label=$LABEL" >/dev/null 2>&1 || true
    say "$name: built $tag in $(secs $(($(now_ms) - t0)))"
}

main() {
    local wanted=("$@") name t0
    ((${#wanted[@]})) || wanted=(postgres mysql dynamodb)
    for name in "${wanted[@]}"; do
        case $name in
        postgres | mysql | dynamodb) ;;
        *) die "unknown image '$name' (known: postgres mysql dynamodb)" ;;
        esac
    done
    command -v docker >/dev/null 2>&1 || die "docker (the client) not found"
    docker version >/dev/null 2>&1 || die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset})"
    t0=$(now_ms)
    build_base
    # Docker builds one image at a time here anyway (2 cores): in sequence.
    for name in "${wanted[@]}"; do build_image "$name"; done
    say "images ready in $(secs $(($(now_ms) - t0)))"
    for name in "${wanted[@]}"; do echo "$(var_for "$name")=$(tag_for "$name")"; done
}

main "$@"

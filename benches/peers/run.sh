#!/usr/bin/env bash
# Peer benchmark (issue 14): Toasty, Diesel and raw rusqlite on in-memory SQLite.
# Two binaries, each with rusqlite as the yardstick (Diesel 2.3 and rusqlite 0.41
# cannot share one libsqlite3-sys). Usage: benches/peers/run.sh [rounds]
# Uses CARGO_TARGET_DIR if set, else /root/.cache/target-peers; builds with -j 2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/root/.cache/target-peers}"
export PEERS_ROUNDS="${1:-${PEERS_ROUNDS:-200}}"
(cd "$here" && cargo build --release -j 2 --locked -q)
(cd "$here/diesel" && cargo build --release -j 2 --locked -q)
echo "load: $(uptime)"
echo
"$CARGO_TARGET_DIR/release/peers-toasty"
"$CARGO_TARGET_DIR/release/peers-diesel"

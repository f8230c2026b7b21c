#!/usr/bin/env bash
# DESIGN §7: a call-history page (50 calls) over HTTP for each scope, 64 connections.
# Serves DATABASE_URL (a SQLite file or PostgreSQL database holding the demo and its call
# history, e.g. the 10,000,000-call file of BENCHMARKS.md) with a release server, or, without it,
# a fresh SQLite file filled by `switchboard demo --calls $CALLS --queues 10` (default 1,000,000).
# Then loads GET /api/v1/domains/acme.example/calls?limit=50 with wrk as an Office Manager, a Site
# Manager, a supervisor, an agent and a basic user: one connection (a page's own latency), then 64
# (throughput). Needs: wrk, curl, jq.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
require_tools wrk curl jq
PORT="${PORT:-18091}"
DURATION="${DURATION:-15s}"
CALLS="${CALLS:-1000000}"
DIR="$(mktemp -d)"
SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$DIR"' EXIT

cargo build --release -q -p switchboard
BIN=./target/release/switchboard
TARGET="${DATABASE_URL:-}"
if [ -z "$TARGET" ]; then
  TARGET="sqlite://$DIR/calls.db"
  echo "generating $CALLS calls into a fresh SQLite file …"
  "$BIN" demo --calls "$CALLS" --queues 10 --database-url "$TARGET" >/dev/null
fi
"$BIN" serve --database-url "$TARGET" --listen "127.0.0.1:$PORT" >"$DIR/server.log" 2>&1 &
SERVER=$!
wait_for_server

URL="http://127.0.0.1:$PORT/api/v1/domains/acme.example/calls?limit=50"
for who in "101 office manager" "102 site manager" "104 supervisor" "105 agent" "107 basic user"; do
  T=$(token "${who%% *}@acme.example")
  shown=$(curl -sf "$URL" -H "authorization: Bearer $T" | jq '.items | length')
  echo
  echo "== ${who#* } (${who%% *}@acme.example): $shown calls on the first page, $DURATION each"
  for connections in 1 64; do
    echo "-- $connections connection(s)"
    wrk -t"$((connections > 1 ? 2 : 1))" -c"$connections" -d"$DURATION" --latency \
      -H "authorization: Bearer $T" "$URL" | grep -E "Requests/sec|99%|50%|Non-2xx"
  done
done
echo
echo "server RSS after the run: $(ps -o rss= -p "$SERVER" | awk '{printf "%.1f MiB", $1/1024}')"

#!/usr/bin/env bash
# FreeSWITCH call records posted to Switchboard (mod_json_cdr's raw JSON, each a new call):
# a release server with the demo on SQLite (or DATABASE_URL=postgres://…), loaded by wrk with
# CONNECTIONS connections for DURATION; then the calls Switchboard counted as stored (its own
# /metrics), which must equal the posts answered 200. Needs: wrk, curl, jq.
#
#   CONNECTIONS=16 DURATION=20s scripts/bench-cdr.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
require_tools wrk curl jq
PORT="${PORT:-18092}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-16}"
export SWITCHBOARD_SWITCH_SECRET="benchSecret$RANDOM$RANDOM"
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

cargo build --release -q -p switchboard
bin=target/release/switchboard
db="${DATABASE_URL:-sqlite://$work/bench.db}"
echo "database: ${db%%\?*}"
SWITCHBOARD_BLOB_DIR="$work/blobs" "$bin" serve --demo --database-url "$db" --listen "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
server=$!
wait_for_server
om=$(token 101@acme.example)
api() { curl -sf -H "authorization: Bearer $om" "$@"; }
stored() {
  curl -sf "http://127.0.0.1:$PORT/metrics" \
    | awk '/^switchboard_call_records_ingested_total\{outcome="inserted"\}/ {print $2; found=1} END {if (!found) print 0}'
}
# 107's phone, the caller of every call.
device=$(api "http://127.0.0.1:$PORT/api/v1/domains/~/users/107/devices" | jq -r '.items[0].id')
caller=$(api -X POST "http://127.0.0.1:$PORT/api/v1/domains/~/devices/$device/sip/password" | jq -r .username)
before=$(stored)
echo "posting for $DURATION over $CONNECTIONS connections"
CALLER="$caller" AUTH=$(printf 'switch:%s' "$SWITCHBOARD_SWITCH_SECRET" | base64 -w0) \
  wrk -t 2 -c "$CONNECTIONS" -d "$DURATION" --latency -s scripts/wrk/freeswitch-cdr.lua \
  "http://127.0.0.1:$PORT" 2>"$work/errors" | tee "$work/wrk.out"
errors=$(wc -l <"$work/errors")
[ "$errors" -eq 0 ] || { echo "$errors posts were not answered 200:"; head -5 "$work/errors"; }
after=$(stored)
echo "calls stored: $((after - before)) (posts answered 200: $(awk '/requests in/ {print $1}' "$work/wrk.out"))"

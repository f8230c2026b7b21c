#!/usr/bin/env bash
# DESIGN §7: a scoped list page (50 users) over HTTP on SQLite with 10,000 users, 64 connections.
# Starts a release server on a fresh SQLite file with the demo data, adds 10,000 users to
# acme.example through the API, then loads GET /api/v1/domains/acme.example/users?limit=50 with
# wrk as an Office Manager and as a Site Manager. Needs: wrk, python3, curl, jq.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
require_tools wrk python3 curl jq
PORT="${PORT:-18090}"
DURATION="${DURATION:-15s}"
DIR="$(mktemp -d)"
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DIR"' EXIT

cargo build --release -q -p switchboard
./target/release/switchboard serve --demo --database-url "sqlite://$DIR/bench.db" --listen "127.0.0.1:$PORT" >"$DIR/server.log" 2>&1 &
SERVER=$!
wait_for_server

SU=$(token 100@platform.example)
curl -sf -X PATCH "http://127.0.0.1:$PORT/api/v1/domains/acme.example" -H "authorization: Bearer $SU" \
  -H 'content-type: application/json' -d '{"policy":{"office_managers_manage_users":true,"limits":{"max_users":20000}}}' >/dev/null

echo "adding 10,000 users to acme.example …"
python3 - "$PORT" "$SU" <<'PY'
import http.client, json, sys
port, token = int(sys.argv[1]), sys.argv[2]
conn = http.client.HTTPConnection("127.0.0.1", port)
headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
for i in range(10_000):
    body = {"extension": str(20000 + i), "first_name": "Load", "last_name": f"User {i}", "site_id": 1 + i % 2}
    conn.request("POST", "/api/v1/domains/acme.example/users", json.dumps(body), headers)
    r = conn.getresponse(); r.read()
    if r.status != 201:
        sys.exit(f"user {i}: {r.status}")
PY

for login in 101@acme.example 102@acme.example; do
  T=$(token "$login")
  echo
  echo "== $login: GET /api/v1/domains/acme.example/users?limit=50, 64 connections, $DURATION"
  wrk -t2 -c64 -d"$DURATION" --latency -H "authorization: Bearer $T" \
    "http://127.0.0.1:$PORT/api/v1/domains/acme.example/users?limit=50" | grep -E "Requests/sec|99%|50%|Non-2xx|Latency"
done
echo
echo "server RSS after the run: $(ps -o rss= -p "$SERVER" | awk '{printf "%.1f MiB", $1/1024}')"

#!/usr/bin/env bash
# Calls through Kamailio at a fixed rate, every one decided and recorded by Switchboard:
#   - Switchboard (release) with the demo, on SQLite (or DATABASE_URL=postgres://…);
#   - Debian's Kamailio with the configuration `switchboard kamailio config` prints;
#   - sipp: 107 registers and calls 105 (registered, answering at once) RATE times a second for
#     SECONDS seconds, each call authenticated (407), held 1 s, hung up;
#   - then: sipp's successful and failed calls, the call records Switchboard stored, and the
#     routing answer's p50/p99 from Switchboard's own latency histogram (/metrics);
#   - then RATE registrations a second for 10 s, with the same checks.
#
#   RATE=100 SECONDS=60 scripts/bench-switch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bench-lib.sh
require_tools curl jq sipp python3
[ -x /usr/sbin/kamailio ] || { echo "kamailio is missing (apt-get install kamailio kamailio-utils-modules kamailio-extra-modules)" >&2; exit 1; }
RATE="${RATE:-100}"
SECONDS_TO_RUN="${SECONDS:-60}"
CALLS=$((RATE * SECONDS_TO_RUN))
PORT="${PORT:-18090}"
SIP_PORT="${SIP_PORT:-15070}"
CALLEE_PORT=15082
export SWITCHBOARD_SWITCH_SECRET="benchSecret$RANDOM$RANDOM"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap 'cleanup; exit' EXIT INT TERM

cargo build --release -q -p switchboard
bin=target/release/switchboard
db="${DATABASE_URL:-sqlite://$work/bench.db}"
echo "database: ${db%%\?*}"
SWITCHBOARD_BLOB_DIR="$work/blobs" "$bin" serve --demo --database-url "$db" --listen "127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
pids+=($!)
wait_for_server
om=$(token 101@acme.example)
api() { curl -sf -H "authorization: Bearer $om" "$@"; }
issue() {
  local id
  id=$(api "http://127.0.0.1:$PORT/api/v1/domains/~/users/$1/devices" | jq -r '.items[0].id')
  api -X POST "http://127.0.0.1:$PORT/api/v1/domains/~/devices/$id/sip/password"
}
callee=$(issue 105); caller=$(issue 107)
callee_user=$(jq -r .username <<<"$callee"); callee_pw=$(jq -r .password <<<"$callee")
caller_user=$(jq -r .username <<<"$caller"); caller_pw=$(jq -r .password <<<"$caller")
# No answering rule on 105 for the run: its phone rings, nothing else.
for id in $(api "http://127.0.0.1:$PORT/api/v1/domains/~/users/105/answer-rules" | jq -r '.items[].id'); do
  api -X DELETE "http://127.0.0.1:$PORT/api/v1/domains/~/answer-rules/$id"
done
before=$(api "http://127.0.0.1:$PORT/api/v1/domains/~/calls/count" | jq .count)

"$bin" kamailio config --sip-listen "udp:127.0.0.1:$SIP_PORT" --switchboard-url "http://127.0.0.1:$PORT" --children 8 >"$work/kamailio.cfg"
/usr/sbin/kamailio -DD -E -f "$work/kamailio.cfg" -Y "$work" >"$work/kamailio.log" 2>&1 &
pids+=($!)
python3 - "$SIP_PORT" <<'PY'
import socket, sys, time
port = int(sys.argv[1]); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.3)
s.bind(("127.0.0.1", 0)); me = s.getsockname()[1]
msg = (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK-b{me}\r\n"
       f"From: <sip:probe@127.0.0.1>;tag=b\r\nTo: <sip:127.0.0.1>\r\nCall-ID: b{me}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode()
for _ in range(100):
    s.sendto(msg, ("127.0.0.1", port))
    try:
        if s.recv(2048).startswith(b"SIP/2.0 200"): sys.exit(0)
    except socket.timeout: pass
    time.sleep(0.1)
sys.exit("kamailio did not answer")
PY
reg() { sipp "127.0.0.1:$SIP_PORT" -sf scripts/sipp/register.xml -i 127.0.0.1 -m 1 -nostdin -timeout 10s -timeout_error \
  -au "$1" -ap "$2" -key user "$1" -key domain acme.example -key contact_port "$3" >/dev/null; }
reg "$callee_user" "$callee_pw" "$CALLEE_PORT"
reg "$caller_user" "$caller_pw" 15084
sipp -sf scripts/sipp/uas.xml -i 127.0.0.1 -p "$CALLEE_PORT" -key user "$callee_user" -nostdin >"$work/uas.out" 2>&1 &
pids+=($!)
echo "$CALLS calls at $RATE/s through Kamailio on udp:$SIP_PORT"
started=$(date +%s.%N)
sipp "127.0.0.1:$SIP_PORT" -sf scripts/sipp/uac.xml -i 127.0.0.1 -p 15086 -r "$RATE" -m "$CALLS" -l $((RATE * 5)) \
  -au "$caller_user" -ap "$caller_pw" -key user "$caller_user" -key domain acme.example -key to 105 \
  -nostdin -timeout $((SECONDS_TO_RUN + 60))s -trace_stat -stf "$work/stat.csv" -fd 5 >"$work/uac.out" 2>&1 || true
echo "sipp ran for $(python3 -c "import time; print(round(time.time() - $started, 1))") s"
python3 - "$work/stat.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter=";"))
last = rows[-1]
print(f"sipp: {last['SuccessfulCall(C)']} successful, {last['FailedCall(C)']} failed calls")
PY
after=$(api "http://127.0.0.1:$PORT/api/v1/domains/~/calls/count" | jq .count)
# Registrations under the same rate: each a 401 challenge, an HA1 look-up and a report.
REGISTERS=$((RATE * 10))
sipp "127.0.0.1:$SIP_PORT" -sf scripts/sipp/register.xml -i 127.0.0.1 -p 15088 -r "$RATE" -m "$REGISTERS" \
  -au "$callee_user" -ap "$callee_pw" -key user "$callee_user" -key domain acme.example -key contact_port "$CALLEE_PORT" \
  -nostdin -timeout 60s -trace_stat -stf "$work/reg.csv" -fd 5 >"$work/reg.out" 2>&1 || true
python3 - "$work/reg.csv" <<'PY'
import csv, sys
last = list(csv.DictReader(open(sys.argv[1]), delimiter=";"))[-1]
print(f"registrations: {last['SuccessfulCall(C)']} successful, {last['FailedCall(C)']} failed")
PY
echo "call records stored: $((after - before))"
curl -sf "http://127.0.0.1:$PORT/metrics" > "$work/metrics.txt"
python3 - "$work/metrics.txt" <<'PY'
import re, sys
from collections import defaultdict
series = defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r'switchboard_http_request_duration_seconds_bucket\{(.*)\} (\d+)', line)
    if not m:
        continue
    labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
    le = float("inf") if labels["le"] == "+Inf" else float(labels["le"])
    series[labels["route"]].append((le, int(m.group(2))))
for route in ("/switch/kamailio/route", "/switch/kamailio/ha1", "/switch/kamailio/cdr", "/switch/kamailio/registration"):
    buckets = sorted(series.get(route, []))
    if not buckets:
        continue
    total = buckets[-1][1]
    q = lambda p: next(le for le, n in buckets if n >= p * total)
    print(f"{route}: {total} answers, p50 <= {q(0.5) * 1000:g} ms, p99 <= {q(0.99) * 1000:g} ms")
PY

#!/usr/bin/env bash
# DESIGN §7: call-record import (CSV) into SQLite, ≥ 100,000 records/s at constant memory.
# Generates an Asterisk Master.csv of LINES calls (default 1,000,000; seeded, so every run imports
# the same file) between the demo domain's users, queues and outside numbers, imports it into a
# fresh SQLite file holding the demo data, and prints the rate and the importer's peak RSS.
# DATABASE_URL=… imports into that database instead (SQLite or PostgreSQL; the demo data is
# loaded into it first if missing). The calls' ids are fixed, so a second run into the same
# database stores nothing new: import into a copy, or a fresh database, each time.
# BIN=path/to/switchboard imports with that build instead of this checkout's.
# Needs: python3 and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install python3 time)" >&2; exit 1; }
done
LINES="${LINES:-1000000}"
DIR="$(mktemp -d)"
trap 'rm -rf "$DIR"' EXIT

# BIN=… compares another build (say, a worktree of an earlier commit) on the same file.
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p switchboard
  BIN=./target/release/switchboard
fi
TARGET="${DATABASE_URL:-sqlite://$DIR/import.db}"
"$BIN" demo --calls 2 --database-url "$TARGET" >/dev/null

python3 - "$LINES" "$DIR/Master.csv" <<'PY'
import random, sys, datetime
lines, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
users = [str(e) for e in range(101, 110)]
queues = ["600", "601", "602"]
agents = ["105", "106", "104"]
start = datetime.datetime(2026, 1, 5, 8, 0, 0)
with open(path, "w") as out:
    t = start
    for i in range(lines):
        t += datetime.timedelta(seconds=rng.randint(0, 3))
        kind = rng.random()
        if kind < 0.4:   # inbound to a queue
            src, dst = f"+1415555{rng.randint(0, 9999):04d}", rng.choice(queues)
            agent = rng.choice(agents)
            dstchannel, lastapp = f"PJSIP/{agent}-0000{i % 9999:04x}", "Queue"
        elif kind < 0.7:  # outbound
            src, dst = rng.choice(users), f"1212555{rng.randint(0, 9999):04d}"
            dstchannel, lastapp = f"PJSIP/trunk-0000{i % 9999:04x}", "Dial"
        else:             # internal
            src, dst = rng.choice(users), rng.choice(users)
            dstchannel, lastapp = f"PJSIP/{dst}-0000{i % 9999:04x}", "Dial"
        disp = rng.choices(["ANSWERED", "NO ANSWER", "BUSY", "FAILED"], [80, 12, 5, 3])[0]
        ring = rng.randint(1, 40)
        talk = rng.randint(5, 600) if disp == "ANSWERED" else 0
        s = t.strftime("%Y-%m-%d %H:%M:%S")
        a = (t + datetime.timedelta(seconds=ring)).strftime("%Y-%m-%d %H:%M:%S") if disp == "ANSWERED" else ""
        e = (t + datetime.timedelta(seconds=ring + talk)).strftime("%Y-%m-%d %H:%M:%S")
        # Asterisk's uniqueid: the channel's creation time (epoch seconds), a dot, a counter.
        out.write(f'"","{src}","{dst}","from-internal","""Caller"" <{src}>","PJSIP/{src}-0000{i % 9999:04x}",'
                  f'"{dstchannel}","{lastapp}","{dst}","{s}","{a}","{e}",{ring + talk},{talk},"{disp}","DOCUMENTATION",'
                  f'"{int(t.replace(tzinfo=datetime.timezone.utc).timestamp())}.{i}",""\n')
PY

echo "importing $LINES lines of Master.csv into ${TARGET%%://*} …"
/usr/bin/time -f '%e s elapsed, peak RSS %M KiB' \
  "$BIN" calls import "$DIR/Master.csv" --domain acme.example --database-url "$TARGET" 2>&1 | tail -n 3

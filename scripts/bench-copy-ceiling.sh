#!/usr/bin/env bash
# How fast PostgreSQL itself loads what a call import stores, with no application in between:
# the ceiling `calls import` cannot pass on this machine with this schema (issue #20 asks for
# 100,000 records/s).
#
# 1. scripts/bench-import.sh imports its seeded 1,000,000-line Master.csv into a fresh database
#    (sbceiling_source) and prints the importer's rate;
# 2. the rows it stored (calls, call_users, call_sites) are written out in the importer's order
#    and cut into its batches of 20,000 calls;
# 3. a second fresh database with the demo (sbceiling_target) loads them by `psql \copy` on two
#    connections, one transaction per batch, as the importer does, and the rate is printed.
#
# Each argument is a variant of the schema to load the same rows into: SQL files joined by `+`,
# run on the target before the load (scripts/ceiling/ has the ones BENCHMARKS.md reports):
#   scripts/bench-copy-ceiling.sh scripts/ceiling/enum-codes.sql+scripts/ceiling/integer-set.sql
# ROUNDS=n loads the schema as built and then each variant, in turn, n times (default 1): runs
# on one machine vary by 10–25 %, so compare them alternating.
#
# ADMIN_URL: a PostgreSQL database to create the two from (default
# postgres://postgres@127.0.0.1:5432/test); both are dropped at the end.
# BIN=path/to/switchboard as in bench-import.sh. Needs: psql, python3, GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in psql python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install postgresql-client python3)" >&2; exit 1; }
done
ADMIN_URL="${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
BASE="${ADMIN_URL%/*}"
SOURCE="$BASE/sbceiling_source"
TARGET="$BASE/sbceiling_target"
DIR="$(mktemp -d)"
export PGOPTIONS="--client-min-messages=warning"
cleanup() {
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS sbceiling_source" \
    -c "DROP DATABASE IF EXISTS sbceiling_target" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p switchboard
  BIN=./target/release/switchboard
fi
export BIN

fresh() {
  psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
}

fresh sbceiling_source
DATABASE_URL="$SOURCE" scripts/bench-import.sh

# The generator's call ids are Asterisk uniqueids (digits, a dot, digits); the demo's are not.
COLUMNS="$(psql -At "$SOURCE" -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position)
  FROM information_schema.columns WHERE table_name = 'calls'")"
GENERATED="WHERE c.call_id ~ '^[0-9]+[.][0-9]+\$'"
ORDER="ORDER BY c.started_at, c.call_id"
psql -q "$SOURCE" \
  -c "\\copy (SELECT $COLUMNS FROM calls c $GENERATED $ORDER) TO '$DIR/calls'" \
  -c "\\copy (SELECT p.* FROM call_users p JOIN calls c ON c.id = p.call_pk $GENERATED $ORDER) TO '$DIR/call_users'" \
  -c "\\copy (SELECT p.* FROM call_sites p JOIN calls c ON c.id = p.call_pk $GENERATED $ORDER) TO '$DIR/call_sites'"

# Batches of 20,000 calls with their party rows; even batches on one connection, odd on the other.
python3 - "$DIR" "$COLUMNS" <<'PY'
import sys
folder, columns = sys.argv[1], sys.argv[2]
batch_of = {}
with open(f"{folder}/calls") as calls:
    for n, line in enumerate(calls):
        batch_of[line.split("\t", 1)[0]] = n // 20000
batches = max(batch_of.values()) + 1
for table in ("calls", "call_users", "call_sites"):
    outs = [open(f"{folder}/{table}.{b}", "w") for b in range(batches)]
    with open(f"{folder}/{table}") as rows:
        for line in rows:
            outs[batch_of[line.split("\t", 1)[0]]].write(line)
    for out in outs:
        out.close()
for connection in (0, 1):
    with open(f"{folder}/load{connection}.sql", "w") as script:
        for b in range(connection, batches, 2):
            script.write("BEGIN;\n")
            script.write(f"\\copy calls ({columns}) FROM '{folder}/calls.{b}'\n")
            script.write(f"\\copy call_users FROM '{folder}/call_users.{b}'\n")
            script.write(f"\\copy call_sites FROM '{folder}/call_sites.{b}'\n")
            script.write("COMMIT;\n")
PY

# Loads the batches into a fresh demo database after the variant's SQL files (none: as built).
load() {
  local variant="$1"
  fresh sbceiling_target
  "$BIN" demo --calls 2 --database-url "$TARGET" >/dev/null
  local files=()
  IFS=+ read -ra files <<<"$variant"
  for file in "${files[@]}"; do psql -q -v ON_ERROR_STOP=1 "$TARGET" -f "$file"; done
  psql -q "$TARGET" -c CHECKPOINT
  local start end
  start="$(date +%s.%N)"
  psql -q -v ON_ERROR_STOP=1 "$TARGET" -f "$DIR/load0.sql" &
  local first=$!
  psql -q -v ON_ERROR_STOP=1 "$TARGET" -f "$DIR/load1.sql"
  wait "$first"
  end="$(date +%s.%N)"
  python3 -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); print(f'{sys.argv[4]}: {s:.2f} s, {int(sys.argv[3]) / s:,.0f} calls/s')" \
    "$start" "$end" "$CALLS" "${variant:-as built}"
}

CALLS="$(wc -l < "$DIR/calls")"
echo "loading the same $CALLS calls by psql \\copy on two connections …"
for _ in $(seq 1 "${ROUNDS:-1}"); do
  load ""
  for variant in "$@"; do load "$variant"; done
done

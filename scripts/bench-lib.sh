# Shared by the HTTP benchmark scripts (sourced, not run): tool checks, waiting for the server,
# and logging in as a demo user. Expects PORT to be set.

# Stop with what to install when a tool is missing.
require_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install $tool)" >&2; exit 1; }
  done
}

# Wait up to a minute for the server on $PORT to answer.
wait_for_server() {
  for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null && return 0
    sleep 1
  done
  echo "the server on port $PORT did not answer within a minute" >&2
  exit 1
}

# An access token for a demo login (password switchboard-demo).
token() {
  curl -sf "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"switchboard-demo\"}" | jq -r .access_token
}

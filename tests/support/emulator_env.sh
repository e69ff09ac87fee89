# Sourced by demo.sh and playground.sh: starts the emulator (moto's server with plinth's
# shims, tests/support/emulator.py) on a free loopback port and exports the AWS_*
# variables that point plinth and the AWS SDKs at it; stops it when the shell exits.
PY=${PLINTH_EMULATOR_PYTHON:-.venv/bin/python}
log=$(mktemp)
workdir=$(mktemp -d)
"$PY" tests/support/emulator.py --port 0 >"$log.port" 2>"$log" &
emulator=$!
trap 'kill $emulator 2>/dev/null; rm -rf "$log" "$log.port" "$workdir"' EXIT
for _ in $(seq 1 100); do
  grep -q PLINTH_EMULATOR_PORT "$log.port" 2>/dev/null && break
  sleep 0.2
done
port=$(sed -n 's/^PLINTH_EMULATOR_PORT=//p' "$log.port")
[ -n "$port" ] || { echo "error: the emulator did not start"; cat "$log"; exit 1; }

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

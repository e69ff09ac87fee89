#!/usr/bin/env bash
# `make playground`: the emulator with the demo's organization seeded (OUs, accounts,
# IAM Identity Center groups), left running for you to try plinth against, with the
# variables to paste into another shell. Ctrl-C stops it; its state goes with it.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/support/emulator_env.sh
"$PY" tests/support/demo_org.py "$AWS_ENDPOINT_URL" seed >/dev/null

cat <<MSG
The emulator runs on $AWS_ENDPOINT_URL with the demo's organization (nothing of the
baseline applied yet). In another shell, from $(pwd):

  export AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
  target/debug/plinth plan -f baselines/example.toml
  target/debug/plinth apply -f baselines/example.toml --auto-approve

Ctrl-C here stops the emulator.
MSG
wait "$emulator"

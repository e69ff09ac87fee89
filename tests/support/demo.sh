#!/usr/bin/env bash
# `make demo`: plinth end to end on the local emulator, no AWS account needed.
# Starts the emulator, seeds an organization, applies baselines/example.toml, shows
# that a second plan is empty, changes things out of band, shows the drift, repairs it.
set -euo pipefail
cd "$(dirname "$0")/../.."

PLINTH=${PLINTH_BIN:-target/debug/plinth}
BASELINE=baselines/example.toml
. tests/support/emulator_env.sh

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }
expect_exit() {
  local want=$1; shift
  set +e; "$@"; local got=$?; set -e
  if [ "$got" != "$want" ]; then echo "error: \`$*\` exited $got, expected $want"; exit 1; fi
  echo "(exit $got, as expected)"
}

step "Local AWS emulator on $AWS_ENDPOINT_URL"
"$PY" tests/support/demo_org.py "$AWS_ENDPOINT_URL" seed

step "plinth validate -f $BASELINE   (offline: parses, checks, renders the SCPs)"
"$PLINTH" validate -f "$BASELINE" | head -4

step "plinth apply -f $BASELINE --auto-approve"
"$PLINTH" apply -f "$BASELINE" --auto-approve

step "Root users with credentials, as accounts opened before centralized root access have them"
"$PY" tests/support/demo_org.py "$AWS_ENDPOINT_URL" root-users

step "plinth apply -f $BASELINE --auto-approve   (root sessions are on now: member accounts' root users audited, their credentials removed)"
"$PLINTH" apply -f "$BASELINE" --auto-approve

step "plinth plan -f $BASELINE --detailed-exitcode   (converged: empty plan, exit 0, zero write calls)"
expect_exit 0 "$PLINTH" plan -f "$BASELINE" --detailed-exitcode

step "Out-of-band changes, as a person in the console might make them"
"$PY" tests/support/demo_org.py "$AWS_ENDPOINT_URL" drift

step "plinth plan -f $BASELINE --detailed-exitcode   (drift: exit 2)"
expect_exit 2 "$PLINTH" plan -f "$BASELINE" --detailed-exitcode

step "plinth plan -f $BASELINE --format markdown   (what a pull request comment shows)"
"$PLINTH" plan -f "$BASELINE" --format markdown -q

step "plinth apply -f $BASELINE --auto-approve   (repair)"
"$PLINTH" apply -f "$BASELINE" --auto-approve

step "plinth plan -f $BASELINE --detailed-exitcode   (converged again)"
expect_exit 0 "$PLINTH" plan -f "$BASELINE" --detailed-exitcode

imported="$workdir/imported"
step "plinth import -o $imported   (a baseline that describes the live organization)"
"$PLINTH" import -o "$imported"
sed -n '1,12p' "$imported/baseline.toml"
echo "..."

step "plinth plan -f $imported/baseline.toml --detailed-exitcode   (what import wrote plans empty)"
expect_exit 0 "$PLINTH" plan -f "$imported/baseline.toml" --detailed-exitcode

report=${PLINTH_REPORT:-target/plinth-report.html}
step "plinth report -o $report   (who can reach which account, with which permission set, under which guardrails)"
"$PLINTH" report -o "$report"
"$PLINTH" report --format markdown | sed -n '1,14p'
echo "..."

printf '\nDemo complete: applied, converged, drifted, repaired, imported, reported.\n'
printf 'The access report of the demo organization: %s (one file; open it in a browser, offline)\n' "$(realpath "$report")"

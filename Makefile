# plinth: `make demo` runs plinth end to end on a local AWS emulator; `make test` runs
# every test. Both set up what they need (the emulator's Python venv) on a fresh machine.

VENV   := .venv
PYTHON ?= python3

.PHONY: demo playground test lint venv build clean bench bench-apply browser iam-policies jq

demo: venv build
	tests/support/demo.sh

# The emulator with the demo's organization, left running to try plinth against by hand
# (it prints the variables to export in another shell); Ctrl-C stops it.
playground: venv build
	tests/support/playground.sh

test: venv browser jq
	cargo test --locked --all-targets

# jq, for the workflow tests' stand-in of `gh api --jq` (tests/pipeline_runs.rs): Debian's
# package, installed when missing (as root; otherwise it says what to install).
jq:
	@command -v jq >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's jq for the workflow tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q jq >/dev/null; \
	  else echo "error: the workflow tests need jq: sudo apt-get install jq"; exit 1; fi; }

# Headless Chromium for the access report's browser test: Debian's package, installed
# when missing (as root; otherwise it says what to install).
browser:
	@command -v chromium >/dev/null || [ -n "$$PLINTH_CHROMIUM" ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the report's browser test"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
	  else echo "error: the report's browser test needs Chromium: sudo apt-get install chromium (or set PLINTH_CHROMIUM)"; exit 1; fi; }

# IAM Identity Center at 1,000 accounts: API calls and wall time of a plan (dev profile:
# the SDK's release build takes long on small machines; the figures are call counts).
bench: venv
	cargo bench --locked --profile dev --bench sso_scale

lint:
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings

build:
	cargo build --locked

# The IAM policies deploy/ ships (deploy/iam/*.json and the CloudFormation task role's),
# regenerated from `plinth iam-policy --generic` after a kind's actions or scopes change.
iam-policies: build
	$(PYTHON) deploy/iam/regenerate.py target/debug/plinth .

venv: $(VENV)/.installed

$(VENV)/.installed: tests/support/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/support/requirements.txt
	touch $@

clean:
	cargo clean
	rm -rf $(VENV)

# The reference organization (1,000 accounts; PLINTH_BENCH_ACCOUNTS=5000 for the large
# one) from first apply to converged, against an emulator enforcing AWS's quotas.
bench-apply: venv
	cargo bench --locked --profile dev --bench first_apply

# plinth: `make demo` runs plinth end to end on a local AWS emulator; `make test` runs
# every test. Both set up what they need (the emulator's Python venv) on a fresh machine.

VENV   := .venv
PYTHON ?= python3

.PHONY: demo test lint venv build clean

demo: venv build
	tests/support/demo.sh

test: venv
	cargo test --locked --all-targets

lint:
	cargo fmt --check
	cargo clippy --locked --all-targets -- -D warnings

build:
	cargo build --locked

venv: $(VENV)/.installed

$(VENV)/.installed: tests/support/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/support/requirements.txt
	touch $@

clean:
	cargo clean
	rm -rf $(VENV)

# Everything runs inside .venv; a fresh machine needs only python3.
# One .venv, two levels, each marked by a stamp named after the content it was built from:
#   runtime  requirements.lock + the package         (make serve)
#   test     runtime + requirements-test.lock        (make test, lint, typecheck, fuzz, bench)
# A changed runtime lock or pyproject.toml rebuilds .venv from scratch; a changed test lock
# rebuilds it too (so nothing the new lock dropped lingers); otherwise a level is installed once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# --no-compile: bytecode is written as modules are first imported, not all up front (~5 s saved)
PIP := $(BIN)/pip install --quiet --disable-pip-version-check --no-compile
hash = $(shell cat $(1) | cksum | cut -d' ' -f1)
RUNTIME_STAMP := $(VENV)/.runtime-$(call hash,requirements.lock pyproject.toml)
TEST_STAMP := $(VENV)/.test-$(call hash,requirements.lock requirements-test.lock pyproject.toml)
ARGS ?=
FUZZ_EXAMPLES ?= 300
# make test MUTATION_SAMPLE=off skips the mutation sample (scripts/mutate.py --sample --strict)
MUTATION_SAMPLE ?= on

# npm tools some tests drive (Prism, Spectral), installed once per machine into .tools/ (gitignored),
# marked by a stamp named after the pinned versions. Without npm the tests that need them skip loudly.
NPM_TOOLS := @stoplight/prism-cli@5.16.0 @stoplight/spectral-cli@6.16.3
TOOLS_STAMP := .tools/.stamp-$(shell echo '$(NPM_TOOLS)' | cksum | cut -d' ' -f1)

.PHONY: serve test lint typecheck bench lock clean fuzz scaffold browser wrk mutate tools examples

$(RUNTIME_STAMP):
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps --no-build-isolation -e .  # the build backend is pinned in requirements.lock
	touch $@

# Through SUBMAKE, not $(MAKE) itself: a recipe line naming MAKE runs even under `make -n`, and this one deletes .venv.
SUBMAKE = $(MAKE)
$(TEST_STAMP): | $(RUNTIME_STAMP)
	@if ls $(VENV)/.test-* >/dev/null 2>&1; then \
		echo "requirements-test.lock changed: rebuilding $(VENV)"; \
		rm -rf $(VENV) && $(SUBMAKE) --no-print-directory $(RUNTIME_STAMP); \
	fi
	$(PIP) -r requirements-test.lock
	touch $@

serve: $(RUNTIME_STAMP)  ## run the mock server (make serve ARGS="--port 9000 --seed 7")
	$(BIN)/mockryze serve $(ARGS)

# The sandbox page's end-to-end tests drive Debian's chromium (Playwright's own browser download is
# not used). Installed here when missing and root; otherwise those tests skip, loudly
# (MOCKRYZE_REQUIRE_BROWSER=1, as .ci/run sets it, makes a missing browser a failure instead).
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the sandbox browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "*** $(CHROMIUM) is missing and this is not root: the sandbox browser tests will be SKIPPED"; \
		echo "*** (install it with: sudo apt-get install -y chromium) ***"; \
	fi

# wrk, the compiled load generator of bench/wrk_send.py (Debian package wrk): installed when missing and root.
WRK ?= /usr/bin/wrk
wrk:
	@if [ -x "$(WRK)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing wrk for bench/wrk_send.py"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null \
			|| echo "*** could not install wrk: bench/wrk_send.py will be SKIPPED ***"; \
	else \
		echo "*** $(WRK) is missing and this is not root: bench/wrk_send.py will be SKIPPED"; \
		echo "*** (install it with: sudo apt-get install -y wrk) ***"; \
	fi

$(TOOLS_STAMP):
	@if command -v npm >/dev/null 2>&1; then \
		rm -rf .tools && npm install --prefix .tools --no-audit --no-fund --loglevel=error $(NPM_TOOLS) \
		&& touch $@ || echo "*** npm install failed: the Prism / Spectral tests will SKIP ***"; \
	else \
		echo "*** npm not found: the Prism / Spectral tests (tests/http/test_prism.py, test_openapi_lint.py) will SKIP; install Node.js 20 ***"; \
	fi

tools: $(TOOLS_STAMP)  ## the npm tools (Prism, Spectral) into .tools/

examples: $(RUNTIME_STAMP) $(TEST_STAMP)  ## write the missing response examples into schemas/ from mockryze's own answers
	$(BIN)/python scripts/schema_examples.py

test: $(TEST_STAMP) browser $(TOOLS_STAMP)  ## lint, type check, the whole suite (with the sandbox's Chromium tests and the npm tools' contract checks), the mutation sample
	$(BIN)/ruff check mockryze tests bench examples scripts mutmut_config.py
	$(BIN)/mypy mockryze
	$(BIN)/python -m pytest -q $(ARGS)
	@if [ "$(MUTATION_SAMPLE)" != off ]; then $(BIN)/python scripts/mutate.py --sample --strict; fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check mockryze tests bench examples scripts mutmut_config.py

typecheck: $(TEST_STAMP)  ## mypy --strict on the package (settings in pyproject.toml)
	$(BIN)/mypy mockryze

fuzz: $(TEST_STAMP)  ## contract fuzzing against a live server, large budget (make fuzz FUZZ_EXAMPLES=1000)
	MOCKRYZE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -v tests/http/test_fuzz.py $(ARGS)

mutate: $(TEST_STAMP)  ## mutation testing (mutmut 2) of the contract modules; summary in build/mutation/ (make mutate ARGS=--sample)
	nice -n 10 $(BIN)/python scripts/mutate.py $(ARGS)

scaffold: $(RUNTIME_STAMP)  ## a new RyzeAPI module: folder, route table, schema, tests, registry line (make scaffold MODULE=chat)
	@test -n "$(MODULE)" || { echo "usage: make scaffold MODULE=name [ARGS=--dry-run]"; exit 2; }
	$(BIN)/python scripts/scaffold.py $(MODULE) $(ARGS)

bench: $(TEST_STAMP) browser wrk  ## benchmarks, printing ratios against baselines measured in the same run
	$(BIN)/python bench/run.py
	$(BIN)/python bench/messages.py
	$(BIN)/python bench/chat_lookup.py
	$(BIN)/python bench/contacts_lookup.py
	$(BIN)/python bench/scenario.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/groups.py
	$(BIN)/python bench/dropin.py
	$(BIN)/python bench/wrk_send.py  # steady-state send-text under wrk (Debian package wrk; skipped without it)
	$(BIN)/python bench/fanout_rate.py  # CPU per webhook POST / WebSocket frame, webhook p99 at 200 sends/s
	$(BIN)/python bench/sandbox.py  # needs chromium (make browser)
	$(BIN)/python bench/state.py

# requirements.lock pins what the package needs at run time, and setuptools to build it without
# an isolated build environment; requirements-test.lock pins what the test extra adds, resolved
# under the runtime pins so the two never disagree.
lock:  ## re-resolve both locks from pyproject.toml
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet --disable-pip-version-check --upgrade setuptools -e .
	.lockvenv/bin/pip freeze --all --exclude-editable | grep -v -e '^-e' -e '^pip==' > requirements.lock
	.lockvenv/bin/pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	{ echo '-r requirements.lock'; \
	  .lockvenv/bin/pip freeze --exclude-editable | grep -v '^-e' | grep -vxFf requirements.lock; \
	} > requirements-test.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build *.egg-info  # .tools (npm tools) stays: installed once per machine

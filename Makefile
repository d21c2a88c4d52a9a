# Everything runs inside .venv, built from requirements.lock; a fresh machine needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
ARGS ?=
FUZZ_EXAMPLES ?= 300

.PHONY: serve test lint bench lock clean fuzz

$(STAMP): requirements.lock pyproject.toml
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

serve: $(STAMP)  ## run the mock server (make serve ARGS="--port 9000 --seed 7")
	$(BIN)/mockryze serve $(ARGS)

test: $(STAMP)  ## lint + the whole test suite
	$(BIN)/ruff check mockryze tests bench examples
	$(BIN)/python -m pytest -q $(ARGS)

fuzz: $(STAMP)  ## contract fuzzing against a live server, large budget (make fuzz FUZZ_EXAMPLES=1000)
	MOCKRYZE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -v tests/test_fuzz.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check mockryze tests bench examples

bench: $(STAMP)  ## benchmarks, printing ratios against baselines measured in the same run
	$(BIN)/python bench/run.py
	$(BIN)/python bench/messages.py
	$(BIN)/python bench/fanout.py

lock:  ## re-resolve requirements.lock from pyproject.toml
	rm -rf .lockvenv && $(PYTHON) -m venv .lockvenv
	.lockvenv/bin/pip install --quiet -e '.[test]'
	.lockvenv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info

# The two set-up commands on a fresh machine are `make demo` and `make test`;
# each creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PYTEST_ARGS ?=

.PHONY: demo test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

# The demo works on a copy of the example project in .tuneops/demo, against the
# embedded emulator (jobs take a few seconds there), and leaves the repo clean.
DEMO := .tuneops/demo
TUNEOPS_DEMO := TUNEOPS_EMBEDDED_JOB_SECONDS=4 $(BIN)/tuneops -C $(DEMO)

demo: $(RUN_STAMP)
	@rm -rf $(DEMO) && mkdir -p $(DEMO) && cp -r tuneops.yaml specs data $(DEMO)/
	@echo "== the base models Vertex AI tunes, from tuneops' dated model catalogue"
	$(TUNEOPS_DEMO) models
	@echo "== validate the specs"
	$(TUNEOPS_DEMO) validate
	@echo "== plan from nothing, then apply"
	$(TUNEOPS_DEMO) plan
	$(TUNEOPS_DEMO) apply --auto-approve
	@echo "== the lockfile"
	@cat $(DEMO)/tuneops.lock
	@echo "== the jobs finish; apply promotes them"
	@sleep 6
	$(TUNEOPS_DEMO) apply --auto-approve
	@echo "== change a spec: the plan shows a replace (old endpoint stays active)"
	sed -i.bak 's/epochCount: 5/epochCount: 6/' $(DEMO)/specs/support-bot.yaml && rm $(DEMO)/specs/support-bot.yaml.bak
	$(TUNEOPS_DEMO) plan
	$(TUNEOPS_DEMO) apply --auto-approve
	@echo "== remove a spec while its job runs: the plan shows a cancel"
	sed -i.bak 's/epochCount: 3/epochCount: 4/' $(DEMO)/specs/summarizers.yaml && rm $(DEMO)/specs/summarizers.yaml.bak
	$(TUNEOPS_DEMO) apply --auto-approve
	rm $(DEMO)/specs/summarizers.yaml
	$(TUNEOPS_DEMO) plan
	$(TUNEOPS_DEMO) apply --auto-approve
	@echo "== wait for the jobs still running; the cancelled ones are forgotten"
	$(TUNEOPS_DEMO) wait --poll-interval 1s --timeout 2m
	$(TUNEOPS_DEMO) reconcile --write-lock
	@echo "== where everything stands, and nothing left to do"
	$(TUNEOPS_DEMO) status
	$(TUNEOPS_DEMO) plan --detailed-exitcode

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/actionlint examples/github/*.yml
	$(BIN)/hadolint Dockerfile

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark runs (a few minutes in all); the target fails if any missed its goal.
bench: $(DEV_STAMP)
	@status=0; for b in tests/benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || status=1; done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .tuneops

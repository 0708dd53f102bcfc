# Everything runs inside .venv, created on first use from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean browser

$(STAMP): pyproject.toml
	@echo "setting up $(VENV) (first run only)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	@PYTHONWARNINGS=ignore $(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

EXAMPLE := specs/examples/handoff.yaml
DEMO := build/demo

# The main job on the bundled example, with no credentials, one line a step saying where its output went:
# validate, score and audit the sample deals, compile for Salesforce and HubSpot, then plan / apply / diff
# against a snapshot environment in $(DEMO)/org-snapshot (kept between runs, like an org: `make clean` resets).
run: $(STAMP)
	@$(BIN)/handrail validate $(EXAMPLE) --target salesforce
	@$(BIN)/handrail score specs/examples/deals.csv --spec $(EXAMPLE) --format csv --out build/scores.csv
	@$(BIN)/handrail audit --from specs/examples/deals.csv --spec $(EXAMPLE) --format html --out build/audit.html
	@$(BIN)/handrail build --spec $(EXAMPLE) --target salesforce --out build/salesforce --check
	@$(BIN)/handrail build --spec $(EXAMPLE) --target hubspot --out build/hubspot --check
	@$(BIN)/handrail init $(DEMO) --force > /dev/null && echo "wrote the demo spec to $(DEMO)/handoff.yaml"
	@$(BIN)/handrail plan --spec $(DEMO)/handoff.yaml --env snapshot --out $(DEMO)/plan.json
	@$(BIN)/handrail apply --spec $(DEMO)/handoff.yaml --env snapshot $(DEMO)/plan.json
	@$(BIN)/handrail diff --spec $(DEMO)/handoff.yaml --env snapshot --exit-code

# The Apex parser tests check the generated Apex test class with (that test skips when Node.js is absent).
APEX_PARSER := tests/apex/node_modules/.package-lock.json
$(APEX_PARSER): tests/apex/package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --prefix tests/apex --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the Apex syntax check will be skipped"; fi

# The audit report's browser test opens it in headless Chromium. Where we are root on Debian (CI),
# install it; elsewhere, or if the install fails, that test skips and says why.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "could not install chromium: the browser test will be skipped"; fi

# Lint and format check first (ruff, configured in pyproject.toml), then the whole suite.
test: $(STAMP) $(APEX_PARSER) browser
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Rewrite the code in the project's format (ruff format; lines up to 110, no magic trailing commas).
format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix --select I .

bench: $(STAMP)
	$(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) build *.egg-info

# Two commands on a fresh machine: `make play` and `make test`.
# Both create .venv on first use (and again only when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: play test lint docs bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "customer-roleplay needs Python 3.11 or newer (found: $$($(PYTHON) --version))" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Bytecode compiled ahead, as a wheel install has it (an editable install otherwise compiles
# every module at each start where PYTHONDONTWRITEBYTECODE is set); quick when up to date.
play: $(STAMP)
	@$(BIN)/python -m compileall -q simulator
	$(BIN)/roleplay

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check simulator tests benchmarks
	$(BIN)/ruff format --check simulator tests benchmarks
	$(BIN)/mypy simulator

docs: $(STAMP)
	$(BIN)/python -m simulator.docs

bench: $(STAMP)
	@$(BIN)/python -m compileall -q simulator
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

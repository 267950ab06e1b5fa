# tifa — two commands do all the set-up: `make run` and `make test`.
# The virtual environment lives in .venv and is (re)built whenever pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
CORPUS ?= seeds
OUT    ?= output
ARGS   ?=
# JupyterLab refuses to run as root unless told; containers often run as root.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: run test unit notebooks lab bench clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## make run: the whole pipeline on $(CORPUS) into $(OUT)/
run: $(STAMP)
	$(BIN)/tifa run --corpus $(CORPUS) --out $(OUT) $(ARGS)

## make test: unit tests, the pipeline end to end, and nbval over every notebook
test: $(STAMP)
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval-lax notebooks/

unit: $(STAMP)
	$(BIN)/python -m pytest tests

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax notebooks/

## make lab: JupyterLab on notebooks/ with the package and kernel ready
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

## make bench: benchmarks (not part of make test)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(OUT) .pytest_cache

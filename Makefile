# realpolitik: `make run` forecasts the default scenario; `make test` runs the tests and ruff.
# Both create .venv if it is missing and install the package with every extra into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench clean browser postgres fuzz

# The report of `make run`: the Moscow talks with an ensemble of 1,000 runs.
REPORT ?= reports/moscow-1949

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/realpolitik forecast moscow-1949 --runs 1000 --seed 1949 --report $(REPORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check --quiet src tests benchmarks
	$(BIN)/lint-imports

# The report's browser test needs Debian's chromium: installed with apt when missing and we
# are root (as on CI); elsewhere the test is skipped with a notice.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the report's browser test"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	      || echo "notice: apt could not install chromium: the browser test will not run"; \
	  else \
	    echo "notice: /usr/bin/chromium is missing and you are not root: the browser test will be skipped"; \
	  fi; \
	fi

# The run store's tests also run on PostgreSQL: Debian's postgresql is installed with apt when
# missing and we are root (as on CI). The tests start a throwaway cluster of their own (initdb
# in a temporary folder, a Unix socket, as the postgres user when root) and remove it after;
# elsewhere they are skipped with a notice.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's postgresql for the run store's tests"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } \
	      || echo "notice: apt could not install postgresql: the PostgreSQL tests will not run"; \
	  else \
	    echo "notice: PostgreSQL is missing and you are not root: its store tests will be skipped"; \
	  fi; \
	fi

test: $(STAMP) lint browser postgres
	$(BIN)/pytest -n 2

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The fuzzer (benchmarks/fuzz.py): CASES mutants of the bundled scenarios and samples, loaded
# and forecast on every core; prints success / located error / traceback / hang and saves each
# failing case in fuzz-failures/. MINUTES=N stops it earlier; WORKERS=N sets the processes.
CASES ?= 100000
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py --cases $(CASES) $(if $(MINUTES),--minutes $(MINUTES)) $(if $(WORKERS),--workers $(WORKERS))

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache

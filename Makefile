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

# Debian packages the tests need: $(call apt_install,PACKAGE,WHAT NEEDS IT) installs PACKAGE
# with apt when we are root (as on CI); elsewhere the tests that need it are skipped with a
# notice. The caller's shell test decides whether it is missing.
define apt_install
if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
  echo "installing Debian's $(1) for $(2)"; \
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null; } \
    || echo "notice: apt could not install $(1): $(2) will not run"; \
else \
  echo "notice: $(1) is missing and you are not root: $(2) will be skipped"; \
fi
endef

# The report's and the workbench's browser tests need Debian's chromium.
browser:
	@if [ ! -x /usr/bin/chromium ]; then $(call apt_install,chromium,the browser tests); fi

# The run store's tests also run on PostgreSQL. The tests start a throwaway cluster of their
# own (initdb in a temporary folder, a Unix socket, as the postgres user when root) and
# remove it after.
postgres:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then \
	  $(call apt_install,postgresql,the PostgreSQL store tests); \
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

# medmeta-lite: two commands for a newcomer (`make workbook`, `make test`) and one for a course (`make lab`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Quiet, reproducible TensorFlow everywhere the targets run Python.
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0

# Where there is a tensorflow-cpu wheel (Linux x86_64) install it instead of the 600 MB larger `tensorflow`,
# then install the project without dependencies so that pip never puts both wheels side by side.
REQUIREMENTS := $(BIN)/python -c "import platform, sys; \
tomli = __import__('tomllib') if sys.version_info >= (3, 11) else __import__('pip._vendor.tomli', fromlist=['loads']); \
p = tomli.load(open('pyproject.toml', 'rb'))['project']; \
cpu = platform.system() == 'Linux' and platform.machine() == 'x86_64'; \
reqs = p['dependencies'] + p['optional-dependencies']['test']; \
print('\n'.join(r.replace('tensorflow', 'tensorflow-cpu', 1) if cpu and r.startswith('tensorflow') else r for r in reqs))"

IS_ROOT := $(filter 0,$(shell id -u))

.PHONY: install workbook test lint unit notebooks browser lab bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(REQUIREMENTS) > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# The HTML copies render their widgets offline when the widget manager's JavaScript lies beside them; it
# comes from the npm registry when npm is installed, otherwise the HTML loads it from a CDN when opened.
WIDGET_JS := build/.widget-js
WIDGET_PACKAGES := @jupyter-widgets/html-manager@1.0.15 requirejs@2.3.8

$(WIDGET_JS)/.installed:
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(WIDGET_JS) $(WIDGET_PACKAGES) && touch $@; \
	else echo "npm not found: the HTML copies will load the widget JavaScript from a CDN"; fi

workbook: install $(WIDGET_JS)/.installed
	$(BIN)/python -m medmeta_lite.workbook --output build \
		$$(test -f $(WIDGET_JS)/.installed && echo --widget-js $(WIDGET_JS)/node_modules)

# Debian's Chromium drives the real-browser widget test. Root (as in CI) installs it; otherwise the browser
# tests skip and say how to enable them.
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ -n "$(IS_ROOT)" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "could not install chromium: browser tests will skip"; \
	else echo "chromium not found and not root: browser tests will skip (sudo apt-get install chromium)"; fi

lint: install
	$(BIN)/ruff check medmeta_lite tests benchmarks conftest.py setup.py

unit: install browser
	$(BIN)/python -m pytest tests/ --doctest-modules medmeta_lite -q -p no:cacheprovider

notebooks: install
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/ -q -p no:cacheprovider

test: lint unit notebooks

lab: install
	$(BIN)/jupyter lab $(if $(IS_ROOT),--allow-root) notebooks/00_start_here.ipynb

bench: install
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build

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

.PHONY: install workbook site slides app student grade test lint unit notebooks browser lab bench hub-bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(REQUIREMENTS) > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# The offline site (build/html) loads the widget manager, RequireJS and MathJax from files beside it; npm
# installs the versions pinned in medmeta_lite/workbook/site.py. Without npm the site still builds: MathJax
# then comes from a wheel, and only the widget manager from its CDN (the runner says so).
SITE_JS := build/.site-js
HUB_JS := build/.hub-js
NPM_PACKAGES = $$($(BIN)/python -c "from medmeta_lite.workbook.site import NPM_PACKAGES; print(*NPM_PACKAGES)")

$(SITE_JS)/.installed: $(STAMP) medmeta_lite/workbook/site.py
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(SITE_JS) $(NPM_PACKAGES) && touch $@; \
	else echo "npm not found: the offline site will load the widget manager from a CDN"; fi

workbook: install $(SITE_JS)/.installed
	$(BIN)/python -m medmeta_lite.workbook --output build \
		$$(test -f $(SITE_JS)/.installed && echo --node-modules $(SITE_JS)/node_modules)

site: workbook

# reveal.js slide decks of every notebook (with its committed outputs) in build/slides, scripts beside them.
slides: install $(SITE_JS)/.installed
	$(BIN)/python -m medmeta_lite.workbook.slides --output build/slides \
		$$(test -f $(SITE_JS)/.installed && echo --node-modules $(SITE_JS)/node_modules)

# The interview trainer and the demo gallery as a Voilà app on http://127.0.0.1:8866 (Ctrl+C stops it).
app: install
	$(BIN)/python -m medmeta_lite.workbook.app

# A course with nbgrader: `make student` writes every notebook without its solutions, hidden tests and
# outputs to build/student; `make grade` autogrades build/submissions/<student>/<notebook>.ipynb, prints
# each score and writes build/nbgrader/grades.csv (written answers are graded by hand in the formgrader).
student: install
	$(BIN)/python -m medmeta_lite.workbook.grading student

grade: install
	$(BIN)/python -m medmeta_lite.workbook.grading grade

# Debian's Chromium drives the real-browser tests, and Noto CJK lets their screenshots show the Chinese
# text. Root (as in CI) installs both; otherwise the browser tests skip and say how to enable them.
BROWSER_PACKAGES := chromium fonts-noto-cjk

browser:
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then :; \
	elif [ -n "$(IS_ROOT)" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's $(BROWSER_PACKAGES) for the browser tests"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) \
			>/dev/null) || echo "could not install $(BROWSER_PACKAGES): browser tests may skip"; \
	else echo "chromium or fonts-noto-cjk missing and not root: browser tests skip or show no Chinese" \
		"(sudo apt-get install $(BROWSER_PACKAGES))"; fi

lint: install
	$(BIN)/ruff check medmeta_lite tests benchmarks deploy conftest.py setup.py nbgrader_config.py

unit: install browser $(SITE_JS)/.installed $(HUB_JS)/.installed
	$(BIN)/python -m pytest tests/ --doctest-modules medmeta_lite -q -p no:cacheprovider

notebooks: install
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks/ -q -p no:cacheprovider

test: lint unit notebooks

lab: install
	$(BIN)/jupyter lab $(if $(IS_ROOT),--allow-root) notebooks/00_start_here.ipynb

# The class JupyterHub (deploy/jupyterhub) needs npm's configurable-http-proxy; `make test` runs a
# one-student smoke test of it, `make hub-bench` the load test with 5, 10 and 20 students.
$(HUB_JS)/.installed:
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(HUB_JS) configurable-http-proxy@5.3.0 && touch $@; \
	else echo "npm not found: the JupyterHub tests will skip (they need configurable-http-proxy)"; fi

hub-bench: install $(HUB_JS)/.installed
	$(BIN)/python benchmarks/bench_hub.py --students 5 10 20

bench: install
	@for script in $$(ls benchmarks/bench_*.py | grep -v bench_hub.py); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf build

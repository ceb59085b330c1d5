# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint bench quality clean

$(STAMP): pyproject.toml motifgen/arrange/_paths.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Compose the bundled example film into output/
demo: $(STAMP)
	$(BIN)/motifgen compose motifs/cartographer.yaml -o output

## Run the whole test suite (lint and type check included)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## Benchmark table (see README)
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## Sketch-quality figures per cue against the targets (example film + benchmarks/films)
quality: $(STAMP)
	$(BIN)/python -m motifgen.quality

## The fast subset: `make test` without the tests marked slow (MuseScore, fluidsynth,
## a browser), i.e. pytest -m "not slow"; a few minutes less on two cores
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -m "not slow"

clean:
	rm -rf output/*.mid output/*.json output/*.csv output/*.md output/*.wav output/*.png \
	       output/*.musicxml

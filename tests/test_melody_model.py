"""The shipped melody model comes from music21's corpus: its source list is the corpus
selection, re-reading sources gives the recorded events, and training counts them.

A full rebuild takes about a minute; ``python -m motifgen.generate.train --check``
compares one with the shipped file. Here a subset is re-read: one folk-song file and
three chorales, whose event digests must match the shipped provenance rows."""

from __future__ import annotations

import subprocess
import sys

import pytest

from motifgen.generate import model as mm
from motifgen.generate import train

SUBSET = ("essenFolksong/kinder0.abc", "bach/bwv269", "bach/bwv347", "bach/bwv153.1")


@pytest.fixture(scope="module")
def model() -> mm.MelodyModel:
    return mm.load_model()


def test_the_sources_are_the_corpus_selection(model):
    assert list(model.sources) == sorted(train.default_sources())
    melodies = sum(row[0] for row in model.sources.values())
    assert sum(model.start_degrees().values()) == melodies  # one start per melody
    assert melodies > 8000 and sum(row[1] for row in model.sources.values()) > 400_000


def test_re_reading_a_subset_gives_the_shipped_events(model):
    corpus = train.read_sources(SUBSET)
    for source in SUBSET:
        assert train.source_summary(corpus[source]) == model.sources[source], source


def test_training_counts_events_deterministically():
    tune = mm.Melody((30, 31, 32, 30), (1.0, 1.0, 2.0, 1.0))
    assert mm.melody_events(tune) == ["s/1", "+1/1", "+1/2", "-2/1"]
    data = train.train({"a": [tune] * 3, "b": [tune]})
    assert data["unigram"] == {"s/1": 4, "+1/1": 4, "+1/2": 4, "-2/1": 4}
    assert data["bigram"]["+1/1"] == {"+1/2": 4}
    assert data["trigram"] == {}  # contexts seen fewer than MIN_CONTEXT times are dropped
    assert data["start"] == {"0": 4}
    assert data["sources"]["a"][:2] == [3, 12]
    assert train.dumps(data) == train.dumps(train.train({"b": [tune], "a": [tune] * 3}))


def test_scores_back_off_and_every_event_has_weight(model):
    after = model.weights(["s/1", "+1/1"])
    assert (after > 0).all() and len(after) == len(model.vocabulary)
    unseen = model.weights(["+7/4", "-7/4"])  # a context too rare to be kept
    assert unseen.sum() < after.sum()  # only backed-off scores
    bits = model.bits(["s/1", "+1/1", "+1/1", "+7/0.25"])
    assert bits[1] < bits[3]  # a step is far likelier than a seventh leap


def test_composing_never_imports_music21(example):
    code = ("import sys; from motifgen.project import load; "
            f"load({str(example)!r}); print('music21' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_the_model_file_is_small_and_shipped():
    assert mm.MODEL_PATH.stat().st_size < 300_000
    assert mm.MODEL_PATH.read_text(encoding="utf-8") == train.dumps(mm.load_model().data)

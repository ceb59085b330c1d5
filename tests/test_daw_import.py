"""The round trip from a DAW: a track found by a loose name, a passage of bars, and the
README's example run on the take that ships with the project."""

from __future__ import annotations

import re
import subprocess
import sys

import mido
import pytest

from motifgen.compose import compose_film
from motifgen.dawimport import import_motif
from motifgen.errors import NotationError
from motifgen.io.midi_reader import pick_track, read_midi_motif
from motifgen.io.notation import parse_tiny
from motifgen.theory import Key
from tests.conftest import EXAMPLE, ROOT

TAKE = ROOT / "motifs" / "mara_take.mid"
NAMES = ["Flute", "Horn in F", "Horn in F (counter)", "Vln I", "Vln II", "Vc", "Percussion"]


def _pick(track: str) -> str:
    return pick_track([(i + 1, n, [], "") for i, n in enumerate(NAMES)], track, TAKE)[1]


@pytest.mark.parametrize("track, found", [
    ("horn in f", "Horn in F"), ("HORN IN F (COUNTER)", "Horn in F (counter)"),
    ("counter", "Horn in F (counter)"), ("vln i", "Vln I"), ("vln ii", "Vln II"),
    ("II", "Vln II"), ("vc", "Vc"), ("perc", "Percussion"), ("fl", "Flute"), ("2", "Horn in F"),
])
def test_a_track_is_found_by_number_whole_name_start_or_word_starts(track, found):
    assert _pick(track) == found


@pytest.mark.parametrize("track, names", [
    ("horn", "2:Horn in F, 3:Horn in F (counter)"), ("vln", "4:Vln I, 5:Vln II"),
])
def test_two_tracks_matching_alike_is_one_clear_line(track, names):
    with pytest.raises(NotationError, match=re.escape(f"matches 2 tracks ({names})")) as err:
        _pick(track)
    assert "\n" not in str(err.value)


def test_no_match_lists_the_tracks():
    with pytest.raises(NotationError, match="has no track 'oboe'; tracks with notes: 1:Flute"):
        _pick("oboe")


def test_horn_is_found_in_motifgens_own_output(tmp_path):
    compose_film(EXAMPLE, tmp_path, scene_ids=["2M2"], progress=False)
    path = tmp_path / "2M2.mid"
    horn = read_midi_motif(path, Key(), "horn")
    mid = mido.MidiFile(str(path))
    track = next(t for t in mid.tracks if t.name == "Hn 1")
    assert [m.name for m in track if m.type == "instrument_name"] == ["Horn in F 1"]
    ons = sum(1 for m in track if m.type == "note_on" and m.velocity > 0)
    assert len(horn) == ons > 0


def test_a_track_is_found_by_its_instrument_name_and_two_alike_are_named():
    tracks = [(1, "Hn 1", [], "Horn in F 1"), (2, "Hn 3-4", [], "Horn in F 3-4"),
              (3, "Vc (bass)", [], "Cellos (bass)")]
    assert pick_track(tracks, "cellos", TAKE)[1] == "Vc (bass)"
    assert pick_track(tracks, "horn in f 3", TAKE)[1] == "Hn 3-4"
    assert pick_track(tracks, "hn 1", TAKE)[1] == "Hn 1"
    with pytest.raises(NotationError, match=re.escape("matches 2 tracks (1:Hn 1, 2:Hn 3-4)")):
        pick_track(tracks, "horn", TAKE)


def test_bars_take_a_passage_from_its_bar_line():
    whole = read_midi_motif(TAKE, Key(), "horn")
    passage = read_midi_motif(TAKE, Key(), "horn", bars=(5, 8))
    assert passage.onset.min() >= 0 and passage.onset.max() < 16
    later = whole.onset >= 16 - 0.1
    assert passage.pitch.tolist() == whole.pitch[later].tolist()
    assert abs(float(passage.onset[0])) < 0.1  # the bar's downbeat, not the track's start
    one = read_midi_motif(TAKE, Key(), "horn", bars=(1, 1))
    assert one.pitch.tolist() == [62, 69, 67, 65, 64]  # d4 a4 g8 f e4: bar 1 alone
    assert float((one.onset + one.duration).max()) <= 4


def test_bars_beyond_the_file_are_refused():
    with pytest.raises(NotationError, match="has 8 bars; --bars 9-9 is not among them"):
        read_midi_motif(TAKE, Key(), "horn", bars=(9, 9))


def test_the_take_passage_is_the_edited_motif():
    lines = import_motif(TAKE, "mara", track="horn", bars=(5, 8))
    tiny = next(x for x in lines if x.startswith("motif: "))[7:]
    assert tiny == "4/4 d8 e16 f16 a4 g8 f8 e8. f16 d2 c#8 d8 e8 f8 d2"
    assert parse_tiny(tiny, Key.parse("D minor")).pitch[0] == 62


def test_the_readme_import_example_is_what_the_shipped_take_gives():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```\n\$ (motifgen import motifs/mara_take\.mid[^\n]*)\n(.*?)```",
                      readme, re.S)
    assert block, "the README has no import example on motifs/mara_take.mid"
    args = block.group(1).split()[1:]
    done = subprocess.run([sys.executable, "-m", "motifgen", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout == block.group(2)


@pytest.mark.parametrize("bars", ["0-2", "3-1", "x", "2-"])
def test_bad_bars_exit_2_with_one_line(bars):
    done = subprocess.run([sys.executable, "-m", "motifgen", "import", str(TAKE), "--name", "x",
                           "--bars", bars], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "expected bars A-B" in done.stderr


def test_the_reader_finds_every_time_signature_and_the_end_as_mido_does(tmp_path):
    from motifgen.io.midi_reader import read_midi_notes

    compose_film(EXAMPLE, tmp_path, progress=False, reel=True)
    for path in sorted(tmp_path.glob("*.mid")):
        mid = mido.MidiFile(str(path))
        sigs, end = {}, 0
        for track in mid.tracks:
            now = 0
            for m in track:
                now += m.time
                if m.type == "time_signature":
                    sigs.setdefault(now, (m.numerator, m.denominator))
            end = max(end, now)
        ours = read_midi_notes(path.read_bytes())
        assert ours.meters == tuple(sorted(sigs.items())) and ours.end == end, path.name
    assert len(read_midi_notes((tmp_path / "reel.mid").read_bytes()).meters) > 10

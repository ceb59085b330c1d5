"""The DAW round trip: a played take is quantised, its key found, written as tinyNotation
and put into a project file that keeps every comment and line it had."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mido
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motifgen.dawimport import GRIDS, detect_key, import_motif, quantise
from motifgen.errors import MotifgenError
from motifgen.io.notation import format_tiny, parse_tiny
from motifgen.motif import Motif
from motifgen.project import load
from motifgen.theory import MODES, Key

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "motifs" / "cartographer.yaml"

D_MINOR_TUNE = "4/4 d8 e16 f16 g8 a8 b-8. a16 g8 f8 e4 c#4 d2"
G_MAJOR_TUNE = "4/4 g4 b8 d'8 g'4 f'#8 e'8 d'4 c'8 b8 a4 f#4 g2"
TRIPLET_TUNE = "3/4 trip{e8 f8 g8} a4 b-4 trip{c'8 b-8 a8} g2"
SEXTOLET_TUNE = "4/4 trip{d16 e16 f16} g8 a4 trip{b-16 a16 g16} f8 e4 d2"


def notes_of(motif: Motif) -> list[tuple[float, float, int]]:
    return [(o, d, p) for o, d, p, _ in motif.rows()]


def write_take(path: Path, tune: str, *, ppq: int = 480, jitter: int = 20, seed: int = 0,
               chord_at: int | None = 0, name: str = "Melody") -> Path:
    """A DAW take of `tune`: every note on and off moved by up to `jitter` ticks,
    released a 48th of a beat early, and (at note `chord_at`) a chord under the melody note."""
    rng = np.random.default_rng(seed)
    motif = parse_tiny(tune, Key())
    played = notes_of(motif)
    if chord_at is not None:
        onset, duration, pitch = played[chord_at]
        played += [(onset, duration, pitch - 5), (onset, duration, pitch - 9)]
    events = []
    for onset, duration, pitch in played:
        on = max(0, round(onset * ppq) + int(rng.integers(-jitter, jitter + 1)))
        off = round((onset + duration) * ppq) - ppq // 48 + int(rng.integers(-jitter, jitter + 1))
        events += [(on, 1, pitch), (max(off, on + 1), 0, pitch)]
    mid = mido.MidiFile(type=1, ticks_per_beat=ppq)
    conductor = mido.MidiTrack([
        mido.MetaMessage("time_signature", numerator=motif.meter[0],
                         denominator=motif.meter[1], time=0),
        mido.MetaMessage("set_tempo", tempo=500000, time=0)])
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    now = 0
    for tick, is_on, pitch in sorted(events):
        kind = "note_on" if is_on else "note_off"
        track.append(mido.Message(kind, note=pitch, velocity=90 if is_on else 0,
                                  time=tick - now))
        now = tick
    mid.tracks += [conductor, track]
    mid.save(str(path))
    return path


def imported(lines: list[str], key: Key) -> Motif:
    tiny = next(line for line in lines if line.startswith("motif: ")).removeprefix("motif: ")
    return parse_tiny(tiny, key)


def copy_example(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / EXAMPLE.name)
    shutil.copy(EXAMPLE.parent / "compass.mid", tmp_path / "compass.mid")
    return tmp_path / EXAMPLE.name


# ---------------------------------------------------------------- quantising a take


@pytest.mark.parametrize("tune, grid", [
    (D_MINOR_TUNE, "1/4 beat"), (G_MAJOR_TUNE, "1/2 beat"),
    (TRIPLET_TUNE, "1/3 beat"), (SEXTOLET_TUNE, "1/6 beat"),
])
@pytest.mark.parametrize("ppq", [96, 480, 960])
@pytest.mark.parametrize("seed", range(4))
def test_quantising_recovers_the_intended_rhythm(tmp_path, tune, grid, ppq, seed):
    take = write_take(tmp_path / "take.mid", tune, ppq=ppq, jitter=ppq // 24, seed=seed)
    lines = import_motif(take, "hero")
    intended = parse_tiny(tune, Key())
    assert notes_of(imported(lines, Key())) == notes_of(intended)
    assert any(line.startswith(f"grid: {grid}") for line in lines)
    assert f"notes: {len(intended)} (2 chord or duplicate notes dropped)" in lines


def test_quantise_keeps_the_top_note_drops_duplicates_and_cuts_overlaps():
    m = Motif.from_notes([
        (0.02, 0.5, 62), (0.0, 0.5, 57), (0.01, 0.5, 62),  # chord with a doubled top note
        (0.49, 1.2, 65),  # held into the next note
        (1.5, 0.05, 64),  # very short: keeps one grid step
    ])
    q = quantise(m)
    assert q.grid.step == Fraction(1, 2) and q.dropped == 2
    assert notes_of(q.motif) == [(0.0, 0.5, 62), (0.5, 1.0, 65), (1.5, 0.5, 64)]


def test_a_single_sixteenth_among_many_eighths_keeps_the_finer_grid(tmp_path):
    tune = "4/4 " + "d8 e8 f8 g8 " * 4 + "a8. b-16 a4 d2"
    take = write_take(tmp_path / "take.mid", tune, chord_at=None)
    assert notes_of(imported(import_motif(take, "x"), Key())) == notes_of(parse_tiny(tune, Key()))


@st.composite
def on_grid_motifs(draw, steps=tuple(g.step for g in GRIDS), max_notes=12):
    """Monophonic motifs on one of the quantisation grids, starting at beat 0; legato
    ones end on a whole beat (so the onsets alone decide every length)."""
    step = draw(st.sampled_from(steps))
    legato = draw(st.booleans())
    count = draw(st.integers(1, max_notes))
    position, rows = 0, []
    for i in range(count):
        position += 0 if i == 0 or legato else draw(st.integers(0, 3))
        length = draw(st.integers(1, 8))
        if legato and i == count - 1:
            length = int(draw(st.integers(1, 4)) / step)
        rows.append((float(position * step), float(length * step), draw(st.integers(40, 90))))
        position += length
    return Motif.from_notes(rows), legato


def check_recovered(motif: Motif, legato: bool, take: Motif, shift: float = 1.0) -> None:
    """The take, played `shift` beats into its bar, comes back on the grid in its place."""
    q = quantise(take)
    expected = [float(Fraction(o).limit_denominator(48) + Fraction(shift)) for o in motif.onset]
    assert q.motif.onset.tolist() == expected
    assert q.motif.pitch.tolist() == motif.pitch.tolist()
    steps = q.motif.duration / float(q.grid.step)
    assert np.allclose(steps, np.round(steps)) and steps.min() >= 1 - 1e-9
    if legato:
        assert q.motif.duration.tolist() == motif.duration.tolist()


@settings(max_examples=150, deadline=None)
@given(on_grid_motifs())
def test_quantise_keeps_an_on_grid_motif(case):
    motif, legato = case
    check_recovered(motif, legato, motif.with_notes(onset=motif.onset + 1.0))


@settings(max_examples=400, deadline=None)
@given(on_grid_motifs(steps=(Fraction(1, 2), Fraction(1, 3), Fraction(1, 4))),
       st.integers(0, 2**32 - 1))
def test_quantise_recovers_an_on_grid_motif_from_a_jittered_take(case, seed):
    # A lone 16th sits 1/12 beat from a triplet 8th: any one note is told apart
    # when it is played less than half that away, here ±0.03 beats (±14 ticks at
    # 480 PPQ). The tunes above, with ±20 ticks, show that more notes outvote it.
    motif, legato = case
    rng = np.random.default_rng(seed)
    jitter = 0.03
    onset = motif.onset + rng.uniform(-jitter, jitter, len(motif)) + 1.0
    end = motif.onset + motif.duration + rng.uniform(-jitter, jitter, len(motif)) + 1.0
    check_recovered(motif, legato,
                    motif.with_notes(onset=onset, duration=np.maximum(end - onset, 0.01)))


# ---------------------------------------------------------------- keys


@pytest.mark.parametrize("tune, expected", [
    (D_MINOR_TUNE, "D minor"), (G_MAJOR_TUNE, "G major"),
    ("4/4 b-4 d'8 f'8 b'-4 a'8 g'8 f'4 e'-8 d'8 c'4 a4 b-2", "Bb major"),
    ("3/4 e4 g8 f#8 e4 b2 d#4 e2.", "E minor"),
])
def test_key_detection(tmp_path, tune, expected):
    take = write_take(tmp_path / "take.mid", tune, chord_at=None)
    first = import_motif(take, "x")[0]
    assert first.startswith(f"key: {expected} (detected, r=")
    assert "runner-up" in first
    ranked = detect_key(parse_tiny(tune, Key()))
    assert len(ranked) == 24 and ranked[0][1] >= ranked[1][1]


def test_a_given_key_is_used_and_spells_the_notes(tmp_path):
    take = write_take(tmp_path / "take.mid", "4/4 b-4 e'-4 d'4 c'4 b-2", chord_at=None)
    lines = import_motif(take, "x", key="Bb major")
    assert lines[0] == "key: Bb major (given)"
    assert "motif: 4/4 b-4 e'-4 d'4 c'4 b-2" in lines


# ---------------------------------------------------------------- tinyNotation out


keys = st.builds(Key, st.integers(0, 11), st.sampled_from(sorted(MODES)))
meters = st.sampled_from([(4, 4), (3, 4), (6, 8), (2, 2), (5, 4), (7, 8)])


@st.composite
def writable_motifs(draw):
    """Monophonic motifs on a 32nd-note or triplet-32nd grid, with rests and long notes."""
    step = draw(st.sampled_from([Fraction(1, d) for d in (1, 2, 3, 4, 6, 8, 12)]))
    rows, position = [], draw(st.integers(0, 4))
    for _ in range(draw(st.integers(1, 10))):
        length = draw(st.integers(1, 40))
        rows.append((float(position * step), float(length * step), draw(st.integers(12, 115))))
        position += length + draw(st.integers(0, 5))
    return Motif.from_notes(rows, key=draw(keys), meter=draw(meters))


@settings(max_examples=300, deadline=None)
@given(writable_motifs())
def test_format_tiny_round_trip(motif):
    text = format_tiny(motif)
    back = parse_tiny(text, motif.key)
    assert notes_of(back) == notes_of(motif)
    assert back.meter == motif.meter
    assert re.search(r"[a-g][a-g]", text) is None  # octaves up: c', never cc (music21)


@settings(max_examples=25, deadline=None)
@given(writable_motifs())
def test_format_tiny_reads_the_same_in_music21(motif):
    from music21 import converter

    text = format_tiny(motif)
    theirs = converter.parse("tinyNotation: " + text).stripTies().flatten().notes
    assert [n.pitch.midi for n in theirs] == motif.pitch.tolist()
    assert [float(n.offset) for n in theirs] == pytest.approx(motif.onset.tolist())
    assert [float(n.quarterLength) for n in theirs] == pytest.approx(motif.duration.tolist())


@pytest.mark.parametrize("text, expected", [
    ("4/4 d4 a4 g8 f8 e4 f4. g8 a2", "4/4 d4 a4 g8 f8 e4 f4. g8 a2"),
    ("4/4 c2~ c8 r8 d4", "4/4 c2~ c8 r8 d4"),
    ("3/4 CC4 C4 c4 c'4 c''4 c'''4", "3/4 CC4 C4 c4 c'4 c''4 c'''4"),
    ("4/4 c#4 e-4 f'#4 B-4", "4/4 c#4 e-4 f'#4 B-4"),
    ("4/4 trip{c8 d8 e8} trip{c4 d8} trip{c16 d16 e16} f4", None),
    ("4/4 c4 c4~ c16", "4/4 c4 c4~ c16"),
])
def test_format_tiny_examples(text, expected):
    motif = parse_tiny(text, Key.parse("D minor"))
    assert format_tiny(motif) == (expected or text)


def test_format_tiny_refuses_what_it_cannot_write():
    with pytest.raises(MotifgenError, match="overlaps"):
        format_tiny(Motif.from_notes([(0, 1, 60), (0.5, 1, 62)]))
    with pytest.raises(MotifgenError, match="32nd"):
        format_tiny(Motif.from_notes([(0, 0.3, 60)]))


# ---------------------------------------------------------------- into a project


def other_lines(text: str, changed: set[int]) -> list[str]:
    return [line for i, line in enumerate(text.splitlines(keepends=True)) if i not in changed]


def line_numbers(text: str, prefix: str, after: str) -> set[int]:
    """Numbers of lines starting with `prefix` in the block that begins at line `after`."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(after))
    found = set()
    for i in range(start + 1, len(lines)):
        if lines[i] and not lines[i].startswith(" " * (len(after) - len(after.lstrip()) + 1)):
            break
        if lines[i].strip().startswith(prefix):
            found.add(i)
    return found


def test_into_replaces_the_motif_and_keeps_the_rest_of_the_file(tmp_path):
    project = copy_example(tmp_path)
    before = project.read_text(encoding="utf-8")
    take = write_take(tmp_path / "mara.mid", D_MINOR_TUNE, seed=3)
    lines = import_motif(take, "mara", into=project)
    assert lines[-1] == f"wrote characters.mara into {project} (motif replaced)"
    after = project.read_text(encoding="utf-8")

    loaded = load(project)
    assert notes_of(loaded.motifs["mara"].motif) == notes_of(imported(lines, Key()))
    assert notes_of(loaded.motifs["mara"].motif) == notes_of(parse_tiny(D_MINOR_TUNE, Key()))
    assert loaded.motifs["mara"].instrument == "horn"
    for line in before.splitlines():
        if line.lstrip().startswith("#") or " # " in line:
            if "motif:" not in line:
                assert line in after.splitlines()
    motif_line = line_numbers(before, "motif:", "  mara:")
    assert len(motif_line) == 1
    assert other_lines(after, motif_line) == other_lines(before, motif_line)
    assert f'    motif: "{D_MINOR_TUNE}"\n' in after


def test_into_adds_a_key_when_the_motif_is_in_another(tmp_path):
    project = copy_example(tmp_path)
    before = project.read_text(encoding="utf-8")
    take = write_take(tmp_path / "mara.mid", G_MAJOR_TUNE)
    lines = import_motif(take, "mara", into=project)
    assert lines[-1].endswith("(motif replaced, key D minor -> G major)")
    after = project.read_text(encoding="utf-8")
    assert f'    motif: "{G_MAJOR_TUNE}"\n    key: G major\n' in after
    assert load(project).motifs["mara"].motif.key == Key.parse("G major")
    changed = line_numbers(after, "motif:", "  mara:") | line_numbers(after, "key:", "  mara:")
    assert len(changed) == 2
    assert other_lines(after, changed) == other_lines(before, line_numbers(before, "motif:",
                                                                           "  mara:"))


def test_into_keeps_or_replaces_an_existing_key(tmp_path):
    project = copy_example(tmp_path)
    before = project.read_text(encoding="utf-8")
    take = write_take(tmp_path / "w.mid", "4/4 A4 B-8 A8 G4 E4 A2", chord_at=None)
    lines = import_motif(take, "warden", key="A phrygian", into=project)
    assert lines[-1].endswith("(motif replaced)")
    after = project.read_text(encoding="utf-8")
    changed = line_numbers(before, "motif:", "  warden:")
    assert other_lines(after, changed) == other_lines(before, changed)
    assert "    key: A phrygian\n" in after

    lines = import_motif(take, "warden", key="A minor", into=project)
    assert lines[-1].endswith("(motif replaced, key A phrygian -> A minor)")
    after = project.read_text(encoding="utf-8")
    changed |= line_numbers(before, "key:", "  warden:")
    assert other_lines(after, changed) == other_lines(before, changed)
    assert load(project).motifs["warden"].motif.key == Key.parse("A minor")


def test_into_adds_a_new_name_under_themes(tmp_path):
    project = copy_example(tmp_path)
    before = project.read_text(encoding="utf-8")
    take = write_take(tmp_path / "waltz.mid", G_MAJOR_TUNE)
    lines = import_motif(take, "lantern", into=project)
    assert lines[-1] == f"wrote themes.lantern into {project} (added)"
    after = project.read_text(encoding="utf-8")
    added = ("  lantern:\n"
             f'    motif: "{G_MAJOR_TUNE}"\n'
             "    key: G major\n")
    assert "    key: G minor\n" + added + "\nmoods:\n" in after  # after compass, before moods
    assert after.replace(added, "", 1) == before
    loaded = load(project)
    assert loaded.motifs["lantern"].kind == "theme"
    assert notes_of(loaded.motifs["lantern"].motif) == notes_of(parse_tiny(G_MAJOR_TUNE, Key()))


def test_into_creates_the_themes_section(write_project, tmp_path):
    project = write_project("""\
        # a film without themes
        motifgen: 1
        key: D minor
        characters:
          hero:
            motif: "4/4 d4 a4 g8 f e4 f4. g8 a2"   # the hero

        scenes:
          - id: 1M1
            start: "01:00:00:00"
            end: "01:00:30:00"
            mood: tender
            featuring: [hero]
        """)
    before = project.read_text(encoding="utf-8")
    take = write_take(tmp_path / "t.mid", D_MINOR_TUNE)
    import_motif(take, "sea", into=project)
    after = project.read_text(encoding="utf-8")
    added = f'themes:\n  sea:\n    motif: "{D_MINOR_TUNE}"\n'
    assert after == before.replace("\nscenes:", f"\n{added}\nscenes:")
    assert load(project).motifs["sea"].kind == "theme"


def test_into_gives_a_generated_character_a_motif(tmp_path):
    project = copy_example(tmp_path)
    take = write_take(tmp_path / "f.mid", D_MINOR_TUNE)
    lines = import_motif(take, "finch", into=project)
    assert lines[-1].endswith("(motif added)")
    finch = load(project).motifs["finch"]
    assert not finch.generated and finch.instrument == "clarinet"


def test_a_failed_validation_leaves_the_project_file_unchanged(tmp_path):
    project = tmp_path / "film.yaml"
    shutil.copy(EXAMPLE, project)  # without compass.mid: the project cannot load
    before = project.read_bytes()
    take = write_take(tmp_path / "t.mid", D_MINOR_TUNE)
    with pytest.raises(MotifgenError, match="left unchanged") as err:
        import_motif(take, "mara", into=project)
    assert "compass.mid" in str(err.value) and ".tmp" not in str(err.value)
    assert project.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.yaml", "t.mid"]


@pytest.mark.parametrize("setup, kwargs, expected", [
    (None, {}, "no such MIDI file"),
    ("empty", {}, "has no notes"),
    ("take", {"track": "Strings"}, "has no track 'Strings'"),
    ("take", {"key": "H minor"}, "--key: unknown note name 'H'"),
    ("take", {"into": "missing.yaml"}, "cannot read project file"),
])
def test_bad_input_is_one_motifgen_error(tmp_path, setup, kwargs, expected):
    path = tmp_path / "in.mid"
    if setup == "take":
        write_take(path, D_MINOR_TUNE)
    elif setup == "empty":
        mido.MidiFile().save(str(path))
    if "into" in kwargs:
        kwargs["into"] = tmp_path / kwargs["into"]
    with pytest.raises(MotifgenError, match=expected) as err:
        import_motif(path, "x", **kwargs)
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- the command line


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "motifgen", *map(str, args)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_cli_import_into_a_project(tmp_path):
    project = copy_example(tmp_path)
    take = write_take(tmp_path / "take.mid", D_MINOR_TUNE, name="Horn")
    done = run("import", take, "--name", "mara", "--track", "Horn", "--into", project)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith("key: D minor (detected")
    assert out[1].startswith("grid: 1/4 beat")
    assert out[2] == f"motif: {D_MINOR_TUNE}"
    assert out[3].startswith("notes: 12")
    assert out[4] == f"wrote characters.mara into {project} (motif replaced)"
    assert run("validate", project).returncode == 0


@pytest.mark.parametrize("args, expected", [
    (["import", "{tmp}/nothing.mid", "--name", "x"], "nothing.mid: no such MIDI file"),
    (["import", "{take}", "--name", "x", "--track", "9"], "has no track '9'"),
    (["import", "{take}", "--name", "x", "--key", "D minorish"], "unknown mode"),
])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args, expected):
    take = write_take(tmp_path / "take.mid", D_MINOR_TUNE)
    args = [a.replace("{tmp}", str(tmp_path)).replace("{take}", str(take)) for a in args]
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and expected in done.stderr

"""The reel: every cue on one timeline. The reel's own tempo map, integrated here (not
with our TempoMap), puts every cue start and every hit at its picture time."""

from __future__ import annotations

import io
from fractions import Fraction

import mido
import pytest

from motifgen.arrange import compose_scene
from motifgen.compose import compose_film
from motifgen.errors import MotifgenError
from motifgen.io.reel import _gap, reel_to_bytes
from motifgen.project import load
from motifgen.template import GUIDE_NAME, dress, film_template, fit
from motifgen.timecode import timecode_to_seconds
from tests.conftest import EXAMPLE, MINIMAL, ROOT

FILMS = [EXAMPLE, *sorted((ROOT / "benchmarks" / "films").glob("*.yaml"))]


def _reel(scores, template) -> bytes:
    """The reel of composed cues on `template`, dressed as `compose --reel` writes it."""
    return reel_to_bytes([dress(fit(s, template), template, full=True) for s in scores])


def _seconds(mid: mido.MidiFile):
    """A function from tick to seconds, integrating the conductor's tempo events."""
    now, changes = 0, []
    for msg in mid.tracks[0]:
        now += msg.time
        if msg.type == "set_tempo":
            changes.append((now, msg.tempo))

    def at(tick: int) -> Fraction:
        total, last, tempo = Fraction(0), 0, 500_000
        for t, us in changes:
            if t > tick:
                break
            total += Fraction((t - last) * tempo, 10**6 * mid.ticks_per_beat)
            last, tempo = t, us
        return total + Fraction((tick - last) * tempo, 10**6 * mid.ticks_per_beat)

    return at


def _markers(mid: mido.MidiFile) -> dict[str, int]:
    now, out = 0, {}
    for msg in mid.tracks[0]:
        now += msg.time
        if msg.type == "marker":
            out.setdefault(msg.text, now)
    return out


def _bar_lines(mid: mido.MidiFile) -> list[int]:
    """Every bar line of the reel from its time signatures, each of which must itself
    fall on a bar line of the meter before it (DAWs move it to the next bar otherwise)."""
    now, sigs = 0, []
    for msg in mid.tracks[0]:
        now += msg.time
        if msg.type == "time_signature":
            sigs.append((now, mid.ticks_per_beat * 4 * msg.numerator // msg.denominator))
    end = max(sum(m.time for m in t) for t in mid.tracks)
    lines = []
    for k, (tick, bar) in enumerate(sigs):
        if k and tick != sigs[k - 1][0]:
            assert (tick - sigs[k - 1][0]) % sigs[k - 1][1] == 0, f"meter change mid-bar: {tick}"
        stop = sigs[k + 1][0] if k + 1 < len(sigs) else end + 1
        lines += range(tick, stop, bar)
    return lines


def _check_reel(project, data: bytes) -> int:
    mid = mido.MidiFile(file=io.BytesIO(data))
    _bar_lines(mid)
    offset = next(m for m in mid.tracks[0] if m.type == "smpte_offset")
    assert (offset.minutes, offset.seconds, offset.frames) == (0, 0, 0)
    rate = project.fps
    sep = ";" if rate.drop else ":"
    origin = timecode_to_seconds(f"{offset.hours:02d}:00:00{sep}00", rate)
    quarter = Fraction(1, 4) / rate.fps
    at, markers = _seconds(mid), _markers(mid)
    checked = 0
    for scene in project.scenes:
        tick = markers[f"{scene.id} {scene.title}"]
        assert abs(origin + at(tick) - scene.start) <= quarter, scene.id
        for hit in scene.hits:
            tick = markers[f"{scene.id} {hit.label}"]
            wanted = timecode_to_seconds(hit.timecode, rate)
            assert abs(origin + at(tick) - wanted) <= quarter, (scene.id, hit.label)
            checked += 1
    return checked


@pytest.mark.parametrize("path", FILMS, ids=lambda p: p.stem)
def test_every_hit_of_the_reel_is_within_a_quarter_frame(path):
    project = load(path)
    scores = [compose_scene(project, s) for s in project.scenes]
    template = film_template(scores)
    assert _check_reel(project, _reel(scores, template))


def test_compose_reel_writes_the_cues_notes_on_the_template_tracks(tmp_path):
    compose_film(EXAMPLE, tmp_path, progress=False, reel=True)
    project = load(EXAMPLE)
    data = (tmp_path / "reel.mid").read_bytes()
    assert _check_reel(project, data) >= 5
    reel = mido.MidiFile(file=io.BytesIO(data))
    names = [t.name for t in reel.tracks[1:]]
    assert names[-1] == GUIDE_NAME and len(names) == len(set(names))

    def notes(track):
        return sum(1 for m in track if m.type == "note_on" and m.velocity > 0)

    for track in reel.tracks[1:]:
        in_cues = sum(notes(t) for s in project.scenes
                      for t in mido.MidiFile(str(tmp_path / f"{s.id}.mid")).tracks
                      if t.name == track.name)
        assert notes(track) == in_cues, track.name
    # the cues in the order they come on picture, every one on a bar line
    starts = [_markers(reel)[f"{s.id} {s.title}"] for s in project.scenes]
    assert starts == sorted(starts) and set(starts) <= set(_bar_lines(reel))


@pytest.mark.parametrize("start, hit", [("01:00:30:00", "01:00:36:00"),
                                        ("01:00:30:01", "01:00:36:01"),
                                        ("01:02:00:13", "01:02:06:13")])
def test_a_cue_right_after_another_still_starts_on_its_frame(tmp_path, start, hit):
    """Back to back, the first cue's ring-out sounds into the second at its tempo."""
    film = tmp_path / "film.yaml"
    film.write_text(MINIMAL + f'  - id: 1M2\n    start: "{start}"\n    seconds: 12\n'
                    '    mood: action\n    featuring: [hero]\n'
                    f'    hits:\n      - {{at: "{hit}", label: Crash}}\n')
    compose_film(film, tmp_path / "out", progress=False, reel=True)
    assert _check_reel(load(film), (tmp_path / "out" / "reel.mid").read_bytes()) == 2


def test_overlapping_scenes_are_refused_and_nothing_is_written(tmp_path):
    film = tmp_path / "film.yaml"
    film.write_text(MINIMAL + '  - id: 1M2\n    start: "01:00:20:00"\n    seconds: 20\n'
                    '    mood: tender\n    featuring: [hero]\n')
    out = tmp_path / "out"
    compose_film(film, out, progress=False)  # fine without a reel
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(MotifgenError, match="overlap on picture"):
        compose_film(film, out, progress=False, reel=True, seed=3)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("seconds, tempo", [(0.2, 500_000), (7.3, 833_333), (61.01, 400_000),
                                            (3600.5, 500_000), (100.0, 16_000_000)])
def test_a_gap_is_whole_bars_and_lasts_its_seconds_to_the_microsecond(seconds, tempo):
    beats = _gap(seconds, tempo)
    assert sum(beats) == round(seconds * 1e6)
    assert len(beats) % 4 == 0 or len(beats) < 4
    assert all(0 < b <= 0xFFFFFF for b in beats) and len(set(beats)) <= 2


def test_the_reel_is_the_same_whichever_order_the_cues_are_asked_for(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    compose_film(EXAMPLE, a, scene_ids=["2M2", "1M1"], progress=False, reel=True)
    compose_film(EXAMPLE, b, scene_ids=["1M1", "2M2"], progress=False, reel=True)
    assert (a / "reel.mid").read_bytes() == (b / "reel.mid").read_bytes()
    project = load(EXAMPLE)
    cues = [f"{s.id} {s.title}" for s in project.scenes if s.id in ("1M1", "2M2")]
    markers = _markers(mido.MidiFile(str(a / "reel.mid")))
    assert [m for m in markers if m in cues] == cues  # 1M1 first: it comes first on picture


def test_a_cue_ending_mid_bar_with_the_next_right_after_closes_its_bar(tmp_path):
    """1M3 ends off its bar lines; with 2M1 moved to start the moment it ends, 1M3's last
    bar becomes a short one so 2M1's time signature still falls on a bar line."""
    from msgspec.structs import replace

    project = load(EXAMPLE)
    first, second = (compose_scene(project, project.scene(i)) for i in ("1M3", "2M1"))
    assert not first.tempo_map.is_bar_line(first.length_beats)
    second = replace(second, start_seconds=first.start_seconds + first.duration_seconds)
    template = film_template([first, second])
    mid = mido.MidiFile(file=io.BytesIO(_reel([first, second], template)))
    lines, markers, at = _bar_lines(mid), _markers(mid), _seconds(mid)
    start = markers[f"2M1 {project.scene('2M1').title}"]
    assert start in lines
    origin = timecode_to_seconds("01:00:00:00", project.fps)
    assert abs(float(origin + at(start)) - second.start_seconds) < 1 / 96
    sigs = [m for m in mid.tracks[0] if m.type == "time_signature"]
    assert len(sigs) >= 3  # 1M3's, its short closing bar, 2M1's


def test_the_reel_refuses_cues_not_dressed_on_one_track_list():
    from motifgen.motif import Notes
    from motifgen.score import Part, Score, TempoMap
    from motifgen.theory import Key

    def cue(n: int, start: float) -> Score:
        parts = tuple(Part(f"P{k}", "piano", 0, "melody", Notes.from_rows([(0, 1, 60, 80)]),
                           channel=k) for k in range(n))
        return Score("C", "cue", Key(), TempoMap(), parts, start_seconds=start,
                     start_timecode="01:00:00:00", length_beats=4.0)

    assert reel_to_bytes([cue(2, 3600.0), cue(2, 3610.0)]).startswith(b"MThd")
    with pytest.raises(ValueError, match="every track of one template"):
        reel_to_bytes([cue(1, 3600.0), cue(2, 3610.0)])

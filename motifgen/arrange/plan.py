"""The plan: what was composed and why, written as <id>.json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __version__
from .sections import Section


def plan_of(project: Any, scene: Any, seed: int, timing: Any, anchors: Sequence[Any],
          sections: Sequence[Section], statements: list[dict], parts: list[dict],
          progressions: Sequence[list[dict]]) -> dict:
    """What was composed and why: written as <id>.json."""
    from ..timecode import offset_timecode
    from ..timing import ramp_word

    tmap = timing.tempo_map
    hits = []
    kinds = {h.seconds: h.kind for h in scene.hits}
    for h, beat, off in zip(anchors, timing.hit_beats, timing.frames_off):
        if h.kind != "hit":
            continue
        bar, beat_in_bar = tmap.position(beat)
        hits.append({"label": h.label, "timecode": offset_timecode(
            scene.start_timecode, h.seconds, project.fps), "seconds": float(h.seconds),
            "beat": beat, "bar": bar, "beat_in_bar": beat_in_bar, "downbeat": h.downbeat,
            "on_bar_line": tmap.is_bar_line(beat), "frames_off": off,
            "kind": kinds.get(h.seconds, "accent")})
    return {
        "motifgen": __version__,
        "project": project.title,
        "seed": seed,
        "scene": {"id": scene.id, "title": scene.title, "start": scene.start_timecode,
                  "end": scene.end_timecode, "duration_seconds": float(scene.duration),
                  "fps": project.fps.name},
        "moods": list(dict.fromkeys(scene.moods)),
        "featuring": list(scene.featuring),
        "key": sections[0].key.name,
        "meter": f"{tmap.meters[0][1][0]}/{tmap.meters[0][1][1]}",
        "tempo_map": {"tempos": [list(t) for t in tmap.tempos],
                      "meters": [[b, f"{m[0]}/{m[1]}"] for b, m in tmap.meters],
                      "length_beats": timing.length_beats,
                      "ramps": [{"start_beat": a, "end_beat": b, "bar": tmap.position(a)[0],
                                 "marking": ramp_word(tmap, a, b)} for a, b in tmap.ramps],
                      "excursions": [{"into": e.label, "start_beat": e.from_beat,
                                      "end_beat": e.to_beat, "bpm": e.bpm,
                                      "mood_range": list(e.range), "percent": e.percent}
                                     for e in timing.excursions]},
        "sections": [{"label": s.label, "start_beat": s.start, "end_beat": s.end,
                      "bar": tmap.position(s.start)[0], "mood": s.mood.name, "key": s.key.name,
                      "intensity": s.intensity, "chords": chords}
                     for s, chords in zip(sections, progressions)],
        "hits": hits,
        "statements": statements,
        "parts": parts,
    }



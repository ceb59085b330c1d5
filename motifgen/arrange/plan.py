"""The plan: what was composed and why, written as <id>.json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..score import Plan
from ..timing import TimingPlan
from .sections import Section


def plan_of(project: Any, scene: Any, seed: int, timing: TimingPlan,
            sections: Sequence[Section], statements: list[dict], parts: list[dict],
            progressions: Sequence[list[dict]], form: list[dict]) -> Plan:
    """What was composed and why: written as <id>.json. Its hits are the timing
    report's (`TimingPlan.row`), with the kind the scene gives each."""
    tmap = timing.tempo_map
    kinds = {h.seconds: h.kind for h in scene.hits}
    hits = []
    for i, h in enumerate(timing.hits):
        if h.kind != "hit":
            continue
        r = timing.row(i, scene.start_timecode)
        hits.append({"label": r.label, "timecode": r.timecode, "seconds": r.seconds,
                     "beat": r.at_beat, "bar": r.bar, "beat_in_bar": r.in_bar,
                     "downbeat": r.downbeat, "on_bar_line": r.on_bar_line,
                     "frames_off": r.frames_off, "kind": kinds.get(h.seconds, "accent")})
    return Plan(
        version=__version__,
        project=project.title,
        seed=seed,
        scene={"id": scene.id, "title": scene.title, "start": scene.start_timecode,
               "end": scene.end_timecode, "duration_seconds": float(scene.duration),
               "fps": project.fps.name},
        moods=tuple(dict.fromkeys(scene.moods)),
        featuring=tuple(scene.featuring),
        key=sections[0].key.name,
        meter=f"{tmap.meters[0][1][0]}/{tmap.meters[0][1][1]}",
        tempo_map={"tempos": [list(t) for t in tmap.tempos],
                      "meters": [[b, f"{m[0]}/{m[1]}"] for b, m in tmap.meters],
                      "length_beats": timing.length_beats,
                      "ramps": [{"start_beat": a, "end_beat": b, "bar": tmap.position(a)[0],
                                 "marking": tmap.ramp_word(a, b)} for a, b in tmap.ramps],
                      "excursions": [{"into": e.label, "start_beat": e.from_beat,
                                      "end_beat": e.to_beat, "bpm": e.bpm,
                                      "mood_range": list(e.range), "percent": e.percent}
                                     for e in timing.excursions]},
        sections=tuple({"label": s.label, "start_beat": s.start, "end_beat": s.end,
                        "bar": tmap.position(s.start)[0], "mood": s.mood.name,
                        "key": s.key.name, "intensity": s.intensity, "chords": chords}
                       for s, chords in zip(sections, progressions)),
        hits=tuple(hits),
        statements=tuple(statements),
        parts=tuple(parts),
        ending=scene.ending,
        form=tuple(form),
    )



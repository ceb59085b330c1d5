"""The plan: what was composed and why, written as <id>.json."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from .. import __version__
from ..score import (
    ChordRow,
    ExcursionRow,
    FormRow,
    HitRow,
    PartRow,
    Plan,
    RampRow,
    SceneRow,
    SectionRow,
    StatementRow,
    TempoRow,
)
from ..timing import TimingPlan
from .sections import Section


def plan_of(project: Any, scene: Any, seed: int, timing: TimingPlan,
            sections: Sequence[Section], statements: Sequence[StatementRow],
            parts: Sequence[PartRow], progressions: Sequence[Sequence[ChordRow]],
            form: Sequence[FormRow]) -> Plan:
    """What was composed and why: written as <id>.json. Its hits are the timing
    report's (`TimingPlan.row`), with the kind the scene gives each."""
    tmap = timing.tempo_map
    hits = _hit_rows(timing, scene.start_timecode,
                     tuple({h.seconds: h.kind for h in scene.hits}.items()))
    return Plan(
        version=__version__,
        project=project.title,
        seed=seed,
        scene=SceneRow(scene.id, scene.title, scene.start_timecode, scene.end_timecode,
                       float(scene.duration), project.fps.name),
        moods=tuple(dict.fromkeys(scene.moods)),
        featuring=tuple(scene.featuring),
        key=sections[0].key.name,
        meter=f"{tmap.meters[0][1][0]}/{tmap.meters[0][1][1]}",
        tempo_map=TempoRow(
            tempos=tmap.tempos,
            meters=tuple((b, f"{m[0]}/{m[1]}") for b, m in tmap.meters),
            length_beats=timing.length_beats,
            ramps=tuple(RampRow(a, b, tmap.position(a)[0], tmap.ramp_word(a, b))
                        for a, b in tmap.ramps),
            excursions=tuple(ExcursionRow(e.label, e.from_beat, e.to_beat, e.bpm, e.range,
                                          e.percent) for e in timing.excursions)),
        sections=tuple(SectionRow(s.label, s.start, s.end, tmap.position(s.start)[0],
                                  s.mood.name, s.key.name, s.intensity, tuple(chords))
                       for s, chords in zip(sections, progressions)),
        hits=hits,
        statements=tuple(statements),
        parts=tuple(parts),
        ending=scene.ending,
        form=tuple(form),
    )


@lru_cache(maxsize=512)
def _hit_rows(timing: TimingPlan, start: str | None, kinds: tuple[tuple[Any, str], ...]
              ) -> tuple[HitRow, ...]:
    """The plan's hits (`kinds`: each hit's kind by its seconds), once for each scene's
    timing: they do not depend on the seed."""
    kind_of = dict(kinds)
    rows = []
    for i, h in enumerate(timing.hits):
        if h.kind == "hit":
            r = timing.row(i, start)
            rows.append(HitRow(r.label, r.timecode, r.seconds, r.at_beat, r.bar, r.in_bar,
                               r.downbeat, r.on_bar_line, r.frames_off,
                               kind_of.get(h.seconds, "accent")))
    return tuple(rows)

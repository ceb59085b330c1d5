"""The scene's tempo map and its sections: the cuts at hits and mood changes."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from msgspec import Struct

from ..theory import Key


class Section(Struct, frozen=True, gc=False):
    """A stretch of the scene between hits and mood changes."""

    start: float
    end: float
    mood: Any  # moods.Mood
    key: Key
    intensity: float
    label: str


def spot(project: Any, scene: Any) -> tuple[Any, list[Any], list[Any]]:
    """The scene's tempo map: its hits and mood changes as anchors, solved within the
    moods' tempo ranges. Returns (timing, anchors, moods); a TimingError names the scene.
    `motifgen validate` runs this for every scene without arranging it."""
    from ..errors import TimingError
    from ..timing import Hit

    meter = project.motifs[scene.featuring[0]].motif.meter
    moods = [project.moods[scene.mood]] + [project.moods[s.mood] for s in scene.sections]
    anchors = [Hit(h.seconds, h.label, h.downbeat, h.weight,
                   ramp=h.tempo_change == "gradual") for h in scene.hits]
    anchors += [Hit(s.seconds, s.label or s.mood, True, 1.0, kind="section",
                    ramp=s.tempo_change == "gradual") for s in scene.sections]
    anchors.sort(key=lambda h: h.seconds)
    ranges = ((0.0, tempo_range(moods[0], anchors)),) + tuple(
        (float(s.seconds), tempo_range(m, anchors)) for s, m in zip(scene.sections, moods[1:]))
    try:
        timing = _solved(float(scene.duration), tuple(anchors),
                         ranges if len(ranges) > 1 else ranges[0][1], meter, project.fps,
                         scene.start_timecode)
    except TimingError as e:
        index = project.scenes.index(scene)
        raise TimingError(e.message, f"{project.path}: scenes[{index}] ({scene.id})") from e
    return timing, anchors, moods


@lru_cache(maxsize=512)
def _solved(duration: float, anchors: tuple[Any, ...], ranges: Any, meter: tuple[int, int],
            fps: Any, start: str | None) -> Any:
    """`timing.solve`, once for each scene's anchors and ranges: the tempo map does not
    depend on the seed, so a scene recomposed with another one keeps it."""
    from ..timing import solve

    return solve(duration, anchors, ranges, meter, fps=fps, start=start)


def tempo_range(mood: Any, anchors: Sequence[Any]) -> tuple[float, float]:
    """The mood's tempo range; a fixed tempo gets ±4 % of room when there are hits to catch."""
    lo, hi = mood.tempo
    return (lo * 0.96, hi * 1.04) if anchors and hi - lo < 1 else (lo, hi)


def cut(scene: Any, moods: Sequence[Any], home: Key, beat_of: dict,
        length: float) -> list[Section]:
    """Cut the scene at every anchor; each piece gets its mood, key and intensity."""
    cuts = sorted({0.0, *beat_of.values()})
    mood_at = [(0.0, moods[0])] + [(beat_of[s.seconds], m)
                                   for s, m in zip(scene.sections, moods[1:])]
    labels = {beat_of[h.seconds]: h.label for h in scene.hits}
    labels.update({beat_of[s.seconds]: s.label or s.mood for s in scene.sections})
    lo, hi = scene.intensity
    out = []
    for start, end in zip(cuts, cuts[1:] + [length]):
        if end - start < 1e-6:
            continue
        mood = [m for b, m in mood_at if b <= start + 1e-9][-1]
        mid = (start + end) / 2 / length
        out.append(Section(start, end, mood, Key(home.tonic, mood.mode), lo + (hi - lo) * mid,
                           labels.get(start, "opening")))
    return out

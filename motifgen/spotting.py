"""Marker lists into the project file as hits and scenes (`motifgen spot`).

Every point marker becomes a hit of the scene whose span holds it (with
``--scene``, of that scene only); a region, or a cue_start/cue_end pair, becomes a
new scene with the markers inside it as its hits, taking its mood and featured
motifs from the scene before it (change them afterwards). A marker outside every
scene is reported, never dropped silently; one already in its scene (the same
frame) is left alone, so spotting the same list twice changes nothing. The file
keeps its comments and layout (`projectfile.ProjectFile.edit`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from .errors import MotifgenError, TimingError
from .film import Project
from .markers import Spot, check_rate, read_markers
from .timecode import FrameRate, frames_to_timecode, timecode_to_frames

#: A region's label is its scene id when it is one of these (else a new id is made).
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+()-]{0,39}$")


class NewScene(Struct):
    """A scene a region makes: id, title, span in frames, what it borrows, its hits."""

    id: str
    title: str
    start: int
    end: int
    mood: str
    featuring: tuple[str, ...]
    borrowed_from: str
    hits: list[dict] = field(default_factory=list)


class Placement(Struct):
    """Where every spot goes: hits per existing scene (by index), new scenes, the
    spots outside every scene and those already in the project."""

    hits: dict[int, list[dict]] = field(default_factory=dict)
    scenes: list[NewScene] = field(default_factory=list)
    outside: list[Spot] = field(default_factory=list)
    already: list[Spot] = field(default_factory=list)

    def count(self) -> int:
        return sum(map(len, self.hits.values())) + sum(len(s.hits) for s in self.scenes)


def place(project: Project, spots: tuple[Spot, ...], file: str,
          only: str | None = None) -> Placement:
    """Sort `spots` into the project's scenes (or only the scene `only`)."""
    rate = project.fps
    frame = _frames_of(rate, file)
    out = Placement()
    spans: list[tuple[int, int, Any]] = []  # (start, end, scene index or NewScene)
    for i, scene in enumerate(project.scenes):
        spans.append((frame(scene.start_timecode, 0), frame(scene.end_timecode, 0), i))
    used = {s.id for s in project.scenes}
    for spot in spots:
        if spot.end is None and not spot.frames:
            continue
        start = frame(spot.timecode, spot.line)
        end = frame(spot.end, spot.line) if spot.end else start + spot.frames
        if end - start < 2 * rate.fps:
            raise MotifgenError(f"region {spot.label!r} lasts {end - start} frames; a scene "
                                "lasts at least 2 s", f"{file}: line {spot.line}")
        if any(a == start and b == end for a, b, _ in spans):
            out.already.append(spot)
            continue
        before = max((s for s in project.scenes if frame(s.start_timecode, 0) <= start),
                     key=lambda s: frame(s.start_timecode, 0), default=project.scenes[0])
        scene_id = _new_id(spot.label, used)
        used.add(scene_id)
        new = NewScene(scene_id, spot.label, start, end, before.mood, before.featuring,
                       before.id)
        out.scenes.append(new)
        spans.append((start, end, new))
    if only is not None and not any(_id_of(project, t) == only for _, _, t in spans):
        project.scene(only)  # the error naming the project's scenes
    for spot in spots:
        if spot.end is not None or spot.frames:
            continue
        at = frame(spot.timecode, spot.line)
        holding = [(b - a, t) for a, b, t in spans if a <= at <= b
                   and (only is None or _id_of(project, t) == only)]
        if not holding:
            out.outside.append(spot)
            continue
        _, target = min(holding, key=lambda h: h[0])  # the shortest scene holding it
        existing = (target.hits if isinstance(target, NewScene)
                    else out.hits.get(target, []) + [
                        {"frame": frame(h.timecode, 0)} for h in project.scenes[target].hits])
        if any(h["frame"] == at for h in existing):
            out.already.append(spot)
            continue
        hit = {"frame": at, "at": frames_to_timecode(at, rate), "label": spot.label}
        if spot.kind and spot.kind != "accent":
            hit["kind"] = spot.kind
        if not spot.downbeat:
            hit["downbeat"] = False
        if isinstance(target, NewScene):
            target.hits.append(hit)
        else:
            out.hits.setdefault(target, []).append(hit)
    return out


def _id_of(project: Project, target: Any) -> str:
    return target.id if isinstance(target, NewScene) else project.scenes[target].id


def _frames_of(rate: FrameRate, file: str):
    """A function: timecode -> frame count at the project's rate, errors at file:line."""

    def frames(tc: str, line: int) -> int:
        try:
            return timecode_to_frames(tc, rate)
        except MotifgenError as e:
            raise MotifgenError(e.message, f"{file}: line {line}" if line else file) from e

    return frames


def _new_id(label: str, used: set[str]) -> str:
    """The region's label as a scene id when it is a safe, unused one; else S1, S2 ..."""
    if _ID.match(label) and label not in used:
        return label
    n = 1
    while f"S{n}" in used:
        n += 1
    return f"S{n}"


def describe(project: Project, placement: Placement, dry_run: bool) -> list[str]:
    """One line per change and per marker left out."""
    rate = project.fps
    verb = "would add" if dry_run else "added"
    lines = []
    for index, hits in placement.hits.items():
        for hit in hits:
            lines.append(f"{project.scenes[index].id}: {verb} hit {hit['at']} "
                         f"{hit['label']!r}{_kind(hit)}")
    for new in placement.scenes:
        lines.append(f"{new.id}: {verb} scene {frames_to_timecode(new.start, rate)} to "
                     f"{frames_to_timecode(new.end, rate)} {new.title!r} with {len(new.hits)} "
                     f"hit{'s' if len(new.hits) != 1 else ''} (mood and featuring from "
                     f"{new.borrowed_from}: change them)")
    for spot in placement.outside:
        lines.append(f"outside every scene: {spot.timecode} {spot.label!r} (line {spot.line})")
    for spot in placement.already:
        lines.append(f"already in the project: {spot.timecode} {spot.label!r} "
                     f"(line {spot.line})")
    return lines


def _kind(hit: dict) -> str:
    words = [hit["kind"]] if "kind" in hit else []
    words += ["downbeat: false"] if hit.get("downbeat") is False else []
    return f" ({', '.join(words)})" if words else ""


def spot_markers(markers: Path, into: Path, scene: str | None = None,
                 dry_run: bool = False, allow: Sequence[Path] = ()) -> list[str]:
    """Read `markers`, place them in the project `into` and write them there (unless
    `dry_run`); return the lines to print. `allow`: folders outside the project's own
    its motif files may come from."""
    from .project import load
    from .projectfile import ProjectFile

    target = None if dry_run else ProjectFile(into, allow=allow)  # read before writing
    project = load(into, allow=allow)
    found = read_markers(markers)
    check_rate(found, project.fps, str(markers))
    placement = place(project, found.spots, str(markers), scene)
    lines = [f"{markers}: {found.format}, {len(found.spots)} marker"
             f"{'s' if len(found.spots) != 1 else ''}"]
    lines += describe(project, placement, dry_run)
    if target is None:
        return lines + ["dry run: nothing written"]
    if not placement.count() and not placement.scenes:
        return lines + [f"nothing to write into {into}"]
    target.edit(lambda data: _write(data, project, placement), "the spotted markers",
                lambda loaded: _check(loaded, project, placement))
    lines.append(f"wrote {placement.count()} hit{'s' if placement.count() != 1 else ''} and "
                 f"{len(placement.scenes)} scene{'s' if len(placement.scenes) != 1 else ''} "
                 f"into {into}")
    return lines + _timing_warnings(into, placement, project, allow)


def _check(loaded: Project, before: Project, placement: Placement) -> None:
    """The written file holds every old scene with its new hits, and every new scene."""
    for i, scene in enumerate(before.scenes):
        now = loaded.scene(scene.id)
        if len(now.hits) != len(scene.hits) + len(placement.hits.get(i, [])):
            raise RuntimeError(f"scene {scene.id} reads back with {len(now.hits)} hits")
    for new in placement.scenes:
        if len(loaded.scene(new.id).hits) != len(new.hits):
            raise RuntimeError(f"new scene {new.id} reads back without its hits")


def _timing_warnings(into: Path, placement: Placement, before: Project,
                     allow: Sequence[Path] = ()) -> list[str]:
    """A line for every changed scene whose hits the tempo solver cannot catch."""
    from .arrange import spot
    from .project import load

    project = load(into, allow=allow)
    ids = [before.scenes[i].id for i in placement.hits] + [s.id for s in placement.scenes]
    lines = []
    for scene_id in ids:
        try:
            spot(project, project.scene(scene_id))
        except TimingError as e:
            lines.append(f"warning: {scene_id}: {e.message}")
    return lines


# --- the round-trip edit --------------------------------------------------------------


def _hit_entry(hit: dict) -> Any:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    entry = CommentedMap()
    entry["at"] = DoubleQuotedScalarString(hit["at"])
    entry["label"] = hit["label"]
    for key in ("kind", "downbeat"):
        if key in hit:
            entry[key] = hit[key]
    return entry


def _insert_hits(scene_map: Any, hits: list[dict], rate: FrameRate) -> None:
    """Put `hits` into the scene's `hits` list in time order (made when missing)."""
    from ruamel.yaml.comments import CommentedSeq

    from .projectfile import _move_trailing

    seq = scene_map.get("hits")
    if not isinstance(seq, CommentedSeq):
        seq = CommentedSeq(_hit_entry(h) for h in sorted(hits, key=lambda h: h["frame"]))
        _move_trailing(scene_map, seq)
        scene_map["hits"] = seq
        return
    for hit in sorted(hits, key=lambda h: h["frame"]):
        times = [_frame_at(item, "at", rate) for item in seq]
        index = next((i for i, t in enumerate(times) if t > hit["frame"]), len(seq))
        entry = _hit_entry(hit)
        if index == len(seq) and len(seq):
            _move_trailing(seq, entry)
        seq.insert(index, entry)


def _frame_at(item: Any, key: str, rate: FrameRate) -> float:
    """The frame of the timecode `item[key]`; unreadable ones sort last."""
    try:
        return timecode_to_frames(str(item[key]), rate)
    except (MotifgenError, KeyError, TypeError):
        return float("inf")


def _write(data: Any, project: Project, placement: Placement) -> None:
    """Edit the round-trip data: hits into their scenes, new scenes in time order."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    from .projectfile import _move_trailing, _set_trailing

    scenes = data["scenes"]
    for index, hits in placement.hits.items():
        _insert_hits(scenes[index], hits, project.fps)
    rate = project.fps
    for new in sorted(placement.scenes, key=lambda s: s.start):
        entry = CommentedMap()
        entry["id"] = new.id
        entry["title"] = new.title
        entry["start"] = DoubleQuotedScalarString(frames_to_timecode(new.start, rate))
        entry["end"] = DoubleQuotedScalarString(frames_to_timecode(new.end, rate))
        entry["mood"] = new.mood
        featuring = CommentedSeq(new.featuring)
        featuring.fa.set_flow_style()
        entry["featuring"] = featuring
        if new.hits:
            entry["hits"] = CommentedSeq(_hit_entry(h) for h in new.hits)
        starts = [_frame_at(s, "start", rate) for s in scenes]
        index = next((i for i, t in enumerate(starts) if t > new.start), len(scenes))
        if index == len(scenes):
            _move_trailing(scenes, entry, leave_blank=True)
            if not _trailing(scenes):  # the file ended right after the last scene
                _set_trailing(scenes[-1], "\n\n")
        else:
            _set_trailing(entry, "\n\n")  # a blank line, as between the other scenes
        scenes.insert(index, entry)


def _trailing(node: Any) -> bool:
    """Whether blank lines or comments follow `node`'s last entry."""
    from .projectfile import _last_leaf

    container, last = _last_leaf(node)
    items = container.ca.items.get(last)
    slot = 0 if isinstance(container, list) else 2
    return bool(items and len(items) > slot and items[slot] is not None)


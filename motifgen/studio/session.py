"""One studio session over one project file: the draft, its undo history, the takes.

A *take* is something composed (a scene of the draft, or a motif heard alone):
its Score, named by a hash of the Score as its MIDI file holds it, so the WAV, the
MusicXML and the notation made from it are cached by what was composed; its MIDI
bytes are encoded only when asked for. Every method holds the session's lock: the
server calls them from worker threads.
"""

from __future__ import annotations

import copy
import io
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import Any, cast

from msgspec import Struct

from ..errors import MotifgenError
from ..errors import error_line as line_of
from ..project import Project, load, load_data, project_data, with_scenes
from ..projectfile import set_field
from ..score import Score
from .draft import Edit, apply, check_edit, digest, edited, field_keys, scene_index

#: How many takes and loaded drafts are kept in memory (least recently used go), and
#: how many renders (a minute of WAV is about 10 MB).
CACHE_SIZE = 48
RENDERS_KEPT = 12
#: How many scenes' `template.played` are kept: small, and all a film's template needs.
PLAYED_KEPT = 4096


class _Cache(OrderedDict):
    """A small least-recently-used mapping."""

    def __init__(self, limit: int = CACHE_SIZE) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: Any, value: Any) -> Any:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)
        return value

    def get_or(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        return self.put(key, make())


class Take(Struct, frozen=True, dict=True):
    """A composed scene or audition: `score` as composed, `dressed` as its MIDI file
    holds it (on the film's template); `id` is the hash of `dressed`."""

    id: str
    score: Score
    dressed: Score
    scene: str | None = None  # the scene's id; None for a motif heard alone

    @classmethod
    def of(cls, score: Score, dressed: Score | None = None, scene: str | None = None
           ) -> Take:
        """The take of `score` (dressed as `dressed`, else as it is), named by content:
        the pickled Score holds every note, controller, marker and plan row a file or
        a render is made from, and costs a tenth of encoding the MIDI file."""
        dressed = score if dressed is None else dressed
        return cls(digest(_pickled(dressed)), score, dressed, scene)

    @cached_property
    def midi(self) -> bytes:
        """The take's MIDI file, encoded when first asked for."""
        from ..io.midi import score_to_bytes

        return score_to_bytes(self.dressed)


def _pickled(score: Score) -> bytes:
    """`score` pickled without the memo, so equal content gives equal bytes whether or
    not its parts share objects (a Score holds no cycles)."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=4)
    pickler.fast = True
    pickler.dump(score)
    return out.getvalue()


def error_line(e: MotifgenError) -> str:
    """The line the command line prints for `e`."""
    return line_of(str(e))


def _film_edits(edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
    """The edits of the whole film (seed, motifs): those not of one scene."""
    return tuple(e for e in edits if e.scene is None)


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells a changed file: inode, size, modification time (None: unreadable)."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


class Session:
    """The studio's state for one project file (see the module notes)."""

    def __init__(self, path: str | Path, allow: Sequence[str | Path] = ()) -> None:
        self.path = Path(path)
        self.allow = tuple(Path(a) for a in allow)
        self.lock = threading.RLock()
        self.history: list[tuple[Edit, ...]] = [()]
        self.error: str | None = None  # the file on disk does not load: the CLI's line
        self.notice = ""  # what the last reload or keep did, for the page
        self.version = 0  # bumped on every change the page should redraw for
        self._projects, self._takes, self._renders = _Cache(), _Cache(), _Cache(RENDERS_KEPT)
        self._played = _Cache(PLAYED_KEPT)  # what each scene of a draft plays
        self.stamp = _stamp(self.path)
        self.raw = self._read()
        self.project()  # a project that does not load is the command line's error

    # -- the draft --------------------------------------------------------------
    @property
    def edits(self) -> tuple[Edit, ...]:
        return self.history[-1]

    def _read(self) -> bytes:
        from ..project import MAX_FILE_BYTES
        from ..projectfile import read_project

        return read_project(self.path, MAX_FILE_BYTES)

    def draft(self, edits: tuple[Edit, ...] | None = None) -> bytes:
        """The project file's bytes with `edits` (default: the current ones) made."""
        edits = self.edits if edits is None else edits
        if not edits:
            return self.raw
        with self.lock:
            return self._projects.get_or(("bytes", self.raw, edits),
                                         lambda: self.draft_file(edits).encoded())

    def draft_file(self, edits: tuple[Edit, ...] | None = None) -> Any:
        """The draft in the round-trip editor (`projectfile.ProjectFile`): the file as
        last read with `edits` (default: the current ones) made."""
        edits = self.edits if edits is None else edits
        if not edits:
            return self.base()
        with self.lock:
            return self._projects.get_or(("file", self.raw, edits),
                                         lambda: self._edited(edits))

    def _edited(self, edits: tuple[Edit, ...]) -> Any:
        """The draft file of `edits`, made from the file of the draft or the one before it
        when `edits` is that with one edit added, or with its last edit set again to
        another value (the same field, neither value a removal, not a motif): that file
        is taken over (it leaves the cache) and edited, which gives the bytes a fresh copy
        of the file with every edit made in turn gives, without copying the whole file."""
        last = edits[-1]
        for before in dict.fromkeys((self.edits, *self.history[-2:-1])):
            if not before or before == edits:
                continue
            added = edits[:-1] == before
            again = (edits[:-1] == before[:-1] and before[-1].target == last.target
                     and last.field != "motif" and None not in (before[-1].value, last.value))
            found = self._projects.pop(("file", self.raw, before), None) if (
                added or again) else None
            if found is not None:
                apply(found, last)
                return found
        return edited(self.base(), edits)

    def base(self) -> Any:
        """The file as last read, in the round-trip editor (read once per version)."""
        from ..projectfile import ProjectFile

        with self.lock:
            return self._projects.get_or(("file", self.raw),
                                         lambda: ProjectFile(self.path, raw=self.raw))

    def data(self, edits: tuple[Edit, ...] | None = None) -> Any:
        """The draft's YAML data as the project loader reads it: that of the draft's bytes
        with the film's edits (seed, motifs) made, the scene edits then set on copies of
        their scenes (the same fields `apply` sets in the file)."""
        edits = self.edits if edits is None else edits
        with self.lock:
            return self._projects.get_or(("data", self.raw, edits), partial(self._data, edits))

    def _data(self, edits: tuple[Edit, ...]) -> Any:
        whole = _film_edits(edits)
        if whole == edits:
            return project_data(self.path, self.draft(edits))
        data = dict(self.data(whole))
        data["scenes"] = scenes = list(data["scenes"])
        copied: set[int] = set()
        for edit in edits:
            if edit.scene is not None:
                keys = field_keys(data, edit)
                index = cast(int, keys[1])
                if index not in copied:
                    scenes[index] = copy.deepcopy(scenes[index])
                    copied.add(index)
                set_field(data, keys, edit.value)
        return data

    def project(self, edits: tuple[Edit, ...] | None = None) -> Project:
        """The draft loaded as `motifgen compose` loads its bytes: the film's edits through
        the file's bytes, then only the scenes with edits read again (`keep` checks that
        the file it writes loads as this)."""
        edits = self.edits if edits is None else edits
        with self.lock:
            return self._projects.get_or(("project", self.raw, edits),
                                         partial(self._project, edits))

    def _project(self, edits: tuple[Edit, ...]) -> Project:
        whole = _film_edits(edits)
        data = self.data(edits)
        if whole == edits:
            return load_data(self.path, data, self.allow)
        changed = {scene_index(data, e.scene) for e in edits if e.scene is not None}
        return with_scenes(self.project(whole), data, changed)

    def change(self, edit: Edit) -> tuple[Edit, ...]:
        """Add `edit` to the draft (an undo step; it replaces an edit of the same field)
        once the draft loads and, for a scene edit, the scene composes; return the new
        edits."""
        edit = check_edit(edit)
        with self.lock:
            edits = tuple(e for e in self.edits if e.target != edit.target) + (edit,)
            try:
                self.project(edits)
                if edit.scene is not None:
                    self.compose(edit.scene, edits)
            except MotifgenError as e:
                raise MotifgenError(f"{e} (the change was not made)") from e
            self.history.append(edits)
            self.version += 1
            return edits

    def undo(self) -> tuple[Edit, ...]:
        with self.lock:
            if len(self.history) > 1:
                self.history.pop()
                self.version += 1
            return self.edits

    # -- takes ----------------------------------------------------------------
    def compose(self, scene_id: str, edits: tuple[Edit, ...] | None = None) -> Take:
        """The scene composed from the draft (or from `edits`) on the film's template,
        as `motifgen compose` writes it: the template comes from what every scene of the
        draft plays (`_template`)."""
        from ..template import dress, fit

        project = self.project(edits)
        scene = project.scene(scene_id)  # an unknown scene fails before any composing
        edits = self.edits if edits is None else edits

        def make() -> Take:
            film = self._takes.get_or(("film", self.raw, edits),
                                      lambda: self._template(project, edits))
            score = fit(self._score(project, edits, scene), film)
            return self._keep_take(Take.of(score, dress(score, film), scene_id))

        with self.lock:
            return self._takes.get_or((self.raw, edits, scene_id), make)

    def _score(self, project: Project, edits: tuple[Edit, ...], scene: Any) -> Score:
        """The scene composed. It depends on the file as read and on the edits of that
        scene or of the whole film (seed, motifs) only, so an edit to one scene recomposes
        that one."""
        from ..arrange import compose_scene

        return cast(Score, self._takes.get_or(("score", *self._scene_key(edits, scene.id)),
                                              partial(compose_scene, project, scene)))

    def _scene_key(self, edits: tuple[Edit, ...], scene_id: str) -> tuple[Any, ...]:
        """What a scene's score and tracks depend on: the file as read, the edits of that
        scene or of the whole film, the scene."""
        return self.raw, tuple(e for e in edits if e.scene in (None, scene_id)), scene_id

    def _template(self, project: Project, edits: tuple[Edit, ...]) -> Any:
        """The draft's film template, from what each scene plays: kept in this session
        (by the same key as its score), else read from the cache a run of `motifgen
        compose` or an earlier session filled (`compose.PlayedCache`), else composed."""
        from ..compose import PlayedCache
        from ..template import played, template_of

        cues = PlayedCache(project, None)
        cue_list = []
        for scene in project.scenes:
            key = self._scene_key(edits, scene.id)
            cue = self._played.get(key)
            if cue is None:
                cue = cues.played(scene)
            if cue is None:
                score = self._score(project, edits, scene)
                cues.keep([score])
                cue = played(score)
            cue_list.append(self._played.put(key, cue))
        return template_of(cue_list, articulations=project.articulations)

    def audition(self, project: Project, statements: list[tuple[Any, str]],
                 title: str) -> Take:
        """Motifs laid end to end (as `vary -o` writes them), to hear alone."""
        from ..arrange import statements_score

        return self._keep_take(Take.of(statements_score(project, statements, title)))

    def _keep_take(self, take: Take) -> Take:
        with self.lock:
            return self._takes.put(("take", take.id), take)

    def take(self, take_id: str) -> Take:
        """A take composed in this session, by its id."""
        with self.lock:
            found = self._takes.get(("take", take_id))
        if found is None:
            raise KeyError(take_id)
        return found

    def render(self, take: Take, kind: str, make: Callable[[Score], bytes]) -> bytes:
        """`make(score)` for `take` (its WAV, MusicXML or notation), cached by the take."""
        with self.lock:
            cached = self._renders.get((take.id, kind))
        if cached is None:  # made outside the lock: a render takes seconds
            cached = make(take.score)
            with self.lock:
                self._renders.put((take.id, kind), cached)
        return cached

    # -- compare --------------------------------------------------------------
    def variations(self, scene_id: str, name: str, n: int = 6) -> list[dict]:
        """`vary`'s variations of `name` in the scene's mood, each as the chain to use in
        the scene and a take of it alone."""
        from ..arrange import motif_of, palette
        from ..development.vary import vary

        project = self.project()
        scene = project.scene(scene_id)
        source = motif_of(project, name)
        mood = project.mood(scene.mood)
        found = vary(source, mood=palette(project, mood), mode=mood.mode, n=n,
                     seed=project.seed)
        return [{"chain": v.chain, "score": round(v.score, 3), "notes": v.motif.spell(),
                 "take": self.audition(project, [(v.motif, v.chain)], f"{name} {i}").id}
                for i, v in enumerate(found, 1)]

    def candidates(self, name: str, n: int = 5) -> list[dict]:
        """`suggest`'s candidates for `name`, each as tinyNotation and a take of it."""
        from ..io.notation import format_tiny
        from ..projectfile import key_label
        from ..suggest import suggest

        project = self.project()
        found = suggest(project, name, n=n)
        return [{"tiny": format_tiny(c.motif), "key": key_label(c.motif.key),
                 "score": round(c.score, 3), "notes": c.motif.spell(),
                 "take": self.audition(project, [(c.motif, f"candidate {i}")],
                                       f"{name} candidate {i}").id}
                for i, c in enumerate(found.candidates, 1)]

    # -- the file on disk -----------------------------------------------------
    def refresh(self) -> bool:
        """Read the project file again if it changed on disk; True when it had. A file
        that does not load sets `error` and keeps the last good one playable; the
        draft's edits are made again on the new file where they still load."""
        stamp = _stamp(self.path)
        with self.lock:
            if stamp == self.stamp:
                return False
            self.stamp = stamp
            try:
                raw = self._read()
                load(self.path, self.allow, raw=raw)
            except MotifgenError as e:
                self.error = error_line(e)
                self.version += 1
                return True
            self.error = None
            if raw != self.raw:
                self.raw = raw
                self._rebase()
            self.version += 1
            return True

    def _rebase(self) -> None:
        """Keep the undo steps that still load on the file as now read."""
        kept: list[tuple[Edit, ...]] = [()]
        for edits in self.history[1:]:
            try:
                self.project(edits)
            except MotifgenError:
                break
            kept.append(edits)
        dropped = len(self.history) - len(kept)
        self.history = kept
        self.notice = ("the project file changed on disk"
                       + (f"; {dropped} unsaved change(s) no longer apply and were dropped"
                          if dropped else ""))

    def keep(self) -> list[str]:
        """Write the draft into the project file (comments and layout kept); return
        what was written. The file is replaced whole or left as it was: refused when
        the file on disk does not load or changed since it was last read."""
        from ..projectfile import ProjectFile

        with self.lock:
            edits = self.edits
            if not edits:
                raise MotifgenError("nothing to keep: no change since the file was read")
            if self.error:
                raise MotifgenError(f"the project file does not load, so it is left "
                                    f"unchanged: {self.error}")
            if self._read() != self.raw:
                self.refresh()
                raise MotifgenError("the project file changed on disk since it was read; "
                                    "nothing was written: listen again, then keep")
            heard = self.draft(edits)
            if load(self.path, self.allow, raw=heard) != self.project(edits):
                raise RuntimeError("the draft's file does not load as the draft heard")

            def change(data: Any) -> None:
                for edit in edits:
                    apply(target, edit)
                if target.encoded() != heard:  # read afresh, edited: the same bytes
                    raise RuntimeError("the file to write differs from the draft heard")

            target = ProjectFile(self.path, raw=self.raw)
            target.edit(change, "the studio's changes", lambda loaded: None)
            self.raw, self.stamp = self._read(), _stamp(self.path)
            self.history = [()]
            kept = [e.describe() for e in edits]
            self.notice = f"Kept in {self.path.name}: {'; '.join(kept)}"
            self.version += 1
            return kept

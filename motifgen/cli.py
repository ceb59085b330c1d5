"""The `motifgen` command: parse arguments, call the API, print, set the exit status.

Exit status: 0 done; 2 the input is wrong (one line on stderr, no traceback);
1 a bug (one line; ``--debug`` prints the traceback); 130 interrupted. Heavy
modules are imported inside the commands so `--help` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .errors import MotifgenError, Terminated, error_line
from .io import FORMATS

if TYPE_CHECKING:
    from .film import Project


def _formats(text: str) -> list[str]:
    """The formats of a comma list, each once (a repeated one is written once)."""
    chosen = list(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format {bad[0] if bad else text!r}; expected a comma list of "
            f"{', '.join(FORMATS)}")
    return chosen


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (and exit status 2) like every other."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text[:40]!r}")
    return value


def _at_most(limit: int):
    """A whole number from 1 to `limit` (how many variations or candidates to search)."""

    def count(text: str) -> int:
        value = _positive(text)
        if value > limit:
            raise argparse.ArgumentTypeError(f"expected at most {limit}, got {value}")
        return value

    return count


def _seed(text: str) -> int:
    """A seed from 0 to 2**63 - 1, as in the project file."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to 2**63-1, got "
                                         f"{text[:40]!r}")
    return value


def _bars(text: str) -> tuple[int, int]:
    """Bars "A-B" (or one bar "A"), counted from 1, A <= B."""
    first, dash, last = text.partition("-")
    try:
        a, b = int(first), int(last if dash else first)
    except ValueError:
        a = b = 0
    if not 1 <= a <= b:
        raise argparse.ArgumentTypeError(f"expected bars A-B with 1 <= A <= B, e.g. 5-8; got "
                                         f"{text[:40]!r}")
    return a, b


#: The most variations `vary -n` and candidates `suggest -n` search for.
MAX_VARIATIONS = 200
MAX_CANDIDATES = 100


def _port(text: str) -> int:
    """A TCP port from 0 (any free one) to 65535."""
    value = int(text) if text.isdigit() else -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text[:40]!r}")
    return value


def _words(text: str) -> list[str]:
    return [w.strip() for w in text.split(",") if w.strip()]


def _debug_option(parser: argparse.ArgumentParser) -> None:
    """``--debug`` before or after the command (SUPPRESS: a subcommand's default must not
    undo the top-level flag)."""
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="print the traceback of an internal error")


def _project_argument(parser: argparse.ArgumentParser) -> None:
    """The PROJECT argument and the folders its motif files may come from."""
    parser.add_argument("project", type=Path)
    parser.add_argument("--allow-path", action="append", type=Path, default=[], metavar="DIR",
                        help="also read motif files from DIR, outside the project's folder "
                        "(repeatable)")
    parser.add_argument("--no-cache", action="store_true",
                        help="generate motifs afresh instead of reading the disk cache "
                        "(see README: Performance)")


def _parser() -> argparse.ArgumentParser:
    """The command line: one sub-parser per command, each filled by its `_*_args`."""
    p = _Parser(
        prog="motifgen",
        description="Write leitmotifs once; get a DAW-ready sketch for every scene.")
    p.add_argument("--version", action="version", version=f"motifgen {_version()}")
    _debug_option(p)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, what, add in _COMMANDS:
        add(sub.add_parser(name, help=what))
    for name, what in (("moods", "built-in moods"), ("instruments", "the instrument catalogue"),
                       ("transforms", "every transform and its arguments")):
        sub.add_parser(name, help=f"list {what}")
    for command in sub.choices.values():
        _debug_option(command)
    return p


def _compose_args(c: argparse.ArgumentParser) -> None:
    _project_argument(c)
    c.add_argument("-o", "--output", type=Path, default=Path("output"), metavar="DIR")
    c.add_argument("--scene", action="append", default=[], metavar="ID",
                   help="compose only this scene (repeatable)")
    c.add_argument("--seed", type=_seed, help="override the project's seed")
    c.add_argument("--format", type=_formats, default=["mid", "json"],
                   help=f"comma list of {', '.join(FORMATS)} (default mid,json)")
    c.add_argument("--score", choices=("full", "condensed"), default="full",
                   help="condensed: also a short score (melody, counter-line, harmony, bass, "
                   "percussion) as <id>.condensed.musicxml / .pdf beside the full one")
    c.add_argument("--soundfont", type=Path, help="GM soundfont for wav (.sf2)")
    c.add_argument("--reel", action="store_true",
                   help="also write reel.mid: every cue written at its timecode on one "
                   "timeline")
    c.add_argument("--articulations", metavar="MAP",
                   help="articulation map: gm, uacc or a YAML file (default: the project's "
                   "articulations field, else gm)")
    c.add_argument("--template", choices=("used", "full"), default="used",
                   help="the film's template tracks in every cue's MIDI: only those the "
                   "cue plays (default) or all, the others silent")
    c.add_argument("--jobs", type=_positive, default=None, metavar="N",
                   help="compose scenes in N processes (at most one per scene and per "
                   "processor; default: one for a short film, else one per processor)")
    c.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")


def _vary_args(v: argparse.ArgumentParser) -> None:
    _project_argument(v)
    v.add_argument("name", help="character or theme")
    v.add_argument("--mood", help="mood whose development palette to use")
    v.add_argument("-n", type=_at_most(MAX_VARIATIONS), default=8,
                   help=f"how many variations (default 8, at most {MAX_VARIATIONS})")
    v.add_argument("--seed", type=_seed, default=0)
    v.add_argument("-o", "--output", type=Path, help="write the variations as a MIDI file")


def _transform_args(t: argparse.ArgumentParser) -> None:
    _project_argument(t)
    t.add_argument("name", help="character or theme")
    t.add_argument("chain", help='e.g. "fragment=3, sequence=3:+1, mode=phrygian"')
    t.add_argument("-o", "--output", type=Path, help="write the result as a MIDI file")


def _suggest_args(sg: argparse.ArgumentParser) -> None:
    _project_argument(sg)
    sg.add_argument("name", help="character or theme (or a new name, with --archetype/--traits)")
    sg.add_argument("-n", type=_at_most(MAX_CANDIDATES), default=5,
                    help=f"how many candidates (default 5, at most {MAX_CANDIDATES})")
    sg.add_argument("--seed", type=_seed, help="default: the project's seed")
    sg.add_argument("--archetype", help="instead of the character's archetype")
    sg.add_argument("--traits", type=_words, metavar="WORDS",
                    help="comma list, instead of the character's traits")
    sg.add_argument("-o", "--output", type=Path, help="write the candidates as a MIDI file")
    sg.add_argument("--pick", type=_positive, metavar="K",
                    help="the candidate --into writes (1 = the first)")
    sg.add_argument("--into", type=Path, metavar="PROJECT",
                    help="write candidate K into this project file as the motif")


def _spot_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("markers", type=Path, metavar="MARKERS",
                    help="Pro Tools session info text, Avid marker list, Reaper marker CSV, "
                    "CSV timecode,label[,kind], or CMX 3600 EDL")
    sp.add_argument("--into", type=Path, required=True, metavar="PROJECT",
                    help="the project file to write the hits and scenes into")
    sp.add_argument("--scene", metavar="ID", help="only hits inside this scene")
    sp.add_argument("--dry-run", action="store_true", help="print what would be written")
    sp.add_argument("--allow-path", action="append", type=Path, default=[], metavar="DIR",
                    help="the project's motif files may also come from DIR (repeatable)")


def _import_args(imp: argparse.ArgumentParser) -> None:
    imp.add_argument("file", type=Path, help="a .mid file")
    imp.add_argument("--name", required=True, help="character or theme name")
    imp.add_argument("--track", help="track number, or name: its start or the starts of its "
                     "words, any case ('horn' finds 'Horn in F'); default: first with notes")
    imp.add_argument("--bars", type=_bars, metavar="A-B",
                     help="only bars A to B (from 1; 'A' for one bar), not the whole track")
    imp.add_argument("--key", help="the motif's key, e.g. 'D minor' (default: detected)")
    imp.add_argument("--into", type=Path, metavar="PROJECT",
                     help="write the motif into this project file")


def _studio_args(st: argparse.ArgumentParser) -> None:
    _project_argument(st)
    st.add_argument("--port", type=_port, default=8765,
                    help="port to listen on (default 8765; 0 takes a free one)")
    st.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this machine only)")
    st.add_argument("--open", action="store_true", help="open the page in a browser")


#: The commands with arguments, in the order `--help` lists them: name, help, arguments.
_COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("compose", "compose every scene (or some) into DIR", _compose_args),
    ("vary", "seeded variations of a motif, laid end to end", _vary_args),
    ("transform", "apply a transform chain to a motif", _transform_args),
    ("suggest", "propose leitmotifs from a character's archetype and traits", _suggest_args),
    ("spot", "write a marker list's hits and cues into a project", _spot_args),
    ("validate", "check a project file", _project_argument),
    ("import", "read a motif edited in a DAW back into a project", _import_args),
    ("studio", "a local web page to hear, compare, regenerate and keep", _studio_args),
)


def _version() -> str:
    from . import __version__

    return __version__


def _stop(signum: int, frame: object) -> None:
    """SIGINT or SIGTERM: ignore further ones while cleaning up (a few milliseconds), then
    unwind like Ctrl-C."""
    import signal

    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _one_blas_thread() -> None:
    """numpy's BLAS on one thread, unless the user chose otherwise: motifgen's arrays are
    small, and OpenBLAS's pool of threads, started when numpy is imported, costs CPU at
    start and spins beside every matrix product (`--jobs` workers are the parallelism).
    Only before numpy is imported can it be set."""
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: Sequence[str] | None = None) -> int:
    import signal
    import threading

    _one_blas_thread()
    args = _parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        from .cache import setting

        with setting("off" if getattr(args, "no_cache", False) else None):
            return COMMANDS[args.command](args)
    except MotifgenError as e:
        return _report(str(e), 2, debug)
    except Terminated:
        print("motifgen: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("motifgen: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as e:  # a bug: one line, the traceback on request
        hint = "" if debug else " (rerun with --debug for the traceback)"
        return _report(f"internal error: {type(e).__name__}: {e}{hint}", 1, debug)
    finally:  # in-process callers get their handlers back; the command line is done and
        # exits at once: a signal now must neither kill it nor raise past main()
        for signum, handler in handlers.items():
            signal.signal(signum, handler if argv is not None else signal.SIG_IGN)


def run() -> NoReturn:
    """The `motifgen` command: `main()`, then out without Python's teardown.

    A normal exit frees every object one by one (the loaded film, the caches, the arrays:
    about a tenth of a second of CPU after a film is composed) in a process that is about
    to end. The exit handlers still run (worker processes, temporary folders), standard
    output and error are flushed, and the process leaves with main()'s status."""
    import atexit

    status = main()
    atexit._run_exitfuncs()  # what sys.exit would run before the teardown skipped here
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or a closed stream: nothing to flush
            pass
    os._exit(status)


def _report(message: str, status: int, debug: bool) -> int:
    """Print `message` as one line on stderr (after the traceback with --debug)."""
    if debug:
        traceback.print_exc()
    print(error_line(message), file=sys.stderr)
    return status


def _load(args: argparse.Namespace) -> Project:
    """The project named on the command line, with its --allow-path folders."""
    from .project import load

    return load(args.project, allow=args.allow_path)


def _check_output(path: Path | None, project: Project) -> None:
    """Refuse an ``-o FILE`` that would replace anything but a MIDI file: a folder, a
    device, a link, the project file or a motif file, a file of other content, or a path
    under a regular file. Checked before any work is done."""
    if path is None:
        return
    from .compose import protected_files
    from .io.files import check_replaceable

    check_replaceable(path, protected_files(project), "the -o file")
    if path.exists():
        try:
            with path.open("rb") as f:
                head = f.read(4)
        except OSError as e:
            raise MotifgenError(f"cannot read the -o file: {e.strerror or e}", str(path)) from e
        if head and head != b"MThd":
            raise MotifgenError("the -o file exists and is not a MIDI file; -o replaces only "
                                "MIDI files: name a new file", str(path))


def _table(rows: list[dict], columns: Sequence[str]) -> str:
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths)))
    return "\n".join(line.rstrip() for line in lines)


def cmd_compose(args: argparse.Namespace) -> int:
    from .compose import compose_film

    report = compose_film(args.project, args.output, scene_ids=args.scene, seed=args.seed,
                          formats=args.format, soundfont=args.soundfont, jobs=args.jobs,
                          progress=not args.quiet, allow=args.allow_path,
                          condensed=args.score == "condensed",
                          template=args.template, reel=args.reel,
                          articulations=args.articulations)
    if not args.quiet:
        for line in report:
            print(line)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .arrange import spot

    project = _load(args)
    for scene in project.scenes:  # hits no tempo can catch are a mistake in the file too
        spot(project, scene)
    hits = sum(len(s.hits) for s in project.scenes)
    print(f"{args.project}: ok — {len(project.motifs)} motifs, {len(project.scenes)} scenes, "
          f"{hits} hits, moods: {', '.join(sorted(project.moods))}")
    return 0


def cmd_moods(args: argparse.Namespace) -> int:
    from .moods import mood_table

    rows = mood_table()
    print(_table(rows, list(rows[0])))
    return 0


def cmd_instruments(args: argparse.Namespace) -> int:
    from .orchestra import instrument_table

    rows = instrument_table()
    print(_table(rows, ["name", "program", "range", "comfortable", "family", "roles",
                        "transposition"]))
    return 0


def cmd_transforms(args: argparse.Namespace) -> int:
    from .development.registry import TRANSFORMS

    rows = [{"usage": t.usage, "defaults": t.defaults, "what it does": t.summary}
            for t in TRANSFORMS.values()]
    print(_table(rows, ["usage", "defaults", "what it does"]))
    print('\nChain them with commas, e.g. "fragment=3, sequence=3:+1, mode=phrygian".')
    return 0


def cmd_transform(args: argparse.Namespace) -> int:
    from .arrange import motif_of, statements_score
    from .development.chain import apply_chain, format_chain, parse_chain
    from .io.midi import write_midi

    project = _load(args)
    _check_output(args.output, project)
    source = motif_of(project, args.name)
    steps = parse_chain(args.chain)
    result = apply_chain(source, steps)
    print(f"{args.name}: {format_chain(steps)}")
    print(f"  before: {source.spell()}")
    print(f"  after:  {result.spell()}")
    if args.output:
        write_midi(statements_score(project, [(source, "original"),
                                              (result, format_chain(steps))],
                                    f"{args.name} transformed"), args.output)
        print(f"wrote {args.output}")
    return 0


def cmd_vary(args: argparse.Namespace) -> int:
    from .arrange import motif_of, palette, statements_score
    from .development.vary import vary
    from .io.midi import write_midi

    project = _load(args)
    _check_output(args.output, project)
    source = motif_of(project, args.name)
    mood = project.mood(args.mood) if args.mood else None
    variations = vary(source, mood=palette(project, mood) if mood else None,
                      mode=mood.mode if mood else None, n=args.n, seed=args.seed)
    for i, var in enumerate(variations, 1):
        print(f"{i:2d}. score {var.score:.2f}  {var.chain}")
        print(f"    {var.motif.spell()}")
    if args.output:
        write_midi(statements_score(project, [(source, "original")] + [
            (v.motif, f"{v.chain} (score {v.score:.2f})") for v in variations],
            f"{args.name} variations"), args.output)
        print(f"wrote {args.output}")
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from .io.notation import format_tiny
    from .suggest import suggest, write_candidates, write_pick

    if (args.pick is None) != (args.into is None):
        raise MotifgenError("--pick K and --into PROJECT go together: which candidate, "
                            "written where")
    project = _load(args)
    _check_output(args.output, project)
    found = suggest(project, args.name, n=args.n, seed=args.seed, archetype=args.archetype,
                    traits=args.traits)
    print(found.heading())
    print(f"constraints: {found.candidates[0].constraints.describe()}")
    for i, c in enumerate(found.candidates, 1):
        print(f"{i:2d}. memorability {c.score:.2f}  {format_tiny(c.motif)}")
        print(f"    {_spell(c.motif)}")
    if args.output:
        write_candidates(project, found, args.output)
        print(f"wrote {args.output}")
    if args.into:
        print(write_pick(found, args.pick, args.into, args.allow_path))
    return 0


def _spell(motif) -> str:
    """Note names with octave, e.g. 'D4 F4 E4'."""
    return " ".join(motif.key.pitch_name(p) for p in motif.pitch.tolist())


def cmd_import(args: argparse.Namespace) -> int:
    from .dawimport import import_motif

    for line in import_motif(args.file, args.name, track=args.track, key=args.key,
                             into=args.into, bars=args.bars):
        print(line)
    return 0


def cmd_spot(args: argparse.Namespace) -> int:
    from .spotting import spot_markers

    for line in spot_markers(args.markers, args.into, args.scene, args.dry_run,
                             args.allow_path):
        print(line)
    return 0


def cmd_studio(args: argparse.Namespace) -> int:
    from .studio import serve

    serve(args.project, host=args.host, port=args.port, open_browser=args.open,
          allow=args.allow_path)
    return 0


COMMANDS = {
    "compose": cmd_compose,
    "spot": cmd_spot,
    "validate": cmd_validate,
    "moods": cmd_moods,
    "instruments": cmd_instruments,
    "transforms": cmd_transforms,
    "transform": cmd_transform,
    "vary": cmd_vary,
    "suggest": cmd_suggest,
    "import": cmd_import,
    "studio": cmd_studio,
}


if __name__ == "__main__":
    sys.exit(main())

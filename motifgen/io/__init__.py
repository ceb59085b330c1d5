"""Writers: one module per output format, each reading a Score and nothing else.

`FORMATS` maps a `--format` name to its module and writer, `SUFFIXES` to the end of
its file name (``<id>.<suffix>``; the format's name when not listed); the command
line and `compose_film` both read them. Nothing is imported here, so listing the
formats costs nothing at start-up.
"""

FORMATS: dict[str, tuple[str, str]] = {
    "mid": ("midi", "write_midi"),
    "json": ("plan", "write_plan"),
    "musicxml": ("musicxml", "write_musicxml"),
    "wav": ("audio", "render_wav"),
    "png": ("pianoroll", "write_png"),
    "pdf": ("pdf", "write_pdf"),
    "click": ("click", "write_click"),
    "streamers": ("streamers", "write_streamers"),
}

SUFFIXES: dict[str, str] = {"click": "click.mid", "streamers": "streamers.csv"}


def file_name(scene_id: str, fmt: str) -> str:
    """The name of a scene's file in format `fmt`: ``2M2.mid``, ``2M2.click.mid``."""
    return f"{scene_id}.{SUFFIXES.get(fmt, fmt)}"


def scene_files(scene_id: str) -> list[str]:
    """Every name a scene's files may have, in the order of `FORMATS`, then its condensed
    scores (``2M2.condensed.musicxml``, ``2M2.condensed.pdf``)."""
    from .condensed import SCORE_FORMATS, condensed_name

    return [file_name(scene_id, fmt) for fmt in FORMATS] + [
        condensed_name(scene_id, fmt) for fmt in SCORE_FORMATS]

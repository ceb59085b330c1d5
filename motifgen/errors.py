"""Errors motifgen reports to a user: a message plus where it happened.

Imports only the standard library: every module may raise these, and the CLI
turns them into one line on stderr with exit status 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


class MotifgenError(Exception):
    """Bad input: the user can fix it. `where` is a file and/or a field path."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: cleaned up like Ctrl-C, reported with exit status 143."""


class ProjectError(MotifgenError):
    """The project file is malformed or inconsistent."""


class NotationError(MotifgenError):
    """A motif could not be read (tinyNotation, degrees, MIDI, MusicXML)."""


class TimecodeError(MotifgenError):
    """A timecode does not exist at its frame rate."""


class TimingError(MotifgenError):
    """Hit points that no tempo map within the mood's range can catch."""


class TransformError(MotifgenError):
    """An unknown transform or a bad argument in a transform chain."""


class ToolMissingError(MotifgenError):
    """An external program or file (fluidsynth, a soundfont, MuseScore) is absent."""


def did_you_mean(word: object, known: Iterable[object]) -> str:
    """``"; did you mean 'menacing'?"`` when `word` is close to one of `known`, else ``""``.

    >>> did_you_mean("menacng", ["tender", "menacing"]), did_you_mean("xyz", ["tender"])
    ("; did you mean 'menacing'?", '')
    """
    from difflib import get_close_matches  # stdlib; imported here to keep this module bare

    lowered = {str(k).lower(): str(k) for k in known}
    match = get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.7)
    return f"; did you mean {lowered[match[0]]!r}?" if match else ""


def error_line(message: str) -> str:
    """`message` as the one line the command line prints (the studio shows the same).

    >>> error_line("bad   meter '3/5'")
    "motifgen: bad meter '3/5'"
    """
    return f"motifgen: {' '.join(message.split())}"

"""Errors motifgen reports to a user: a message plus where it happened.

Imports nothing: every module may raise these, and the CLI turns them into one
line on stderr with exit status 2.
"""

from __future__ import annotations


class MotifgenError(Exception):
    """Bad input: the user can fix it. `where` is a file and/or a field path."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


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

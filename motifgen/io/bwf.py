"""Broadcast WAV (EBU Tech 3285): a 16-bit PCM WAV with a `bext` chunk.

The `bext` chunk's time reference is the cue's start in samples since
midnight, so Pro Tools, Nuendo and Reaper "spot" the file to its timecode
(Pro Tools: Spot to Original Time Stamp). Version 1 of the chunk, no date or
time of origination (left empty: the same input gives the same bytes).
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from .files import atomic_write

#: Who wrote the file (the bext chunk's Originator).
ORIGINATOR = "motifgen"


def _field(text: str, size: int) -> bytes:
    return text.encode("ascii", "replace")[:size].ljust(size, b"\0")


def bext_chunk(description: str, reference: str, time_reference: int, sample_rate: int,
               channels: int) -> bytes:
    """The `bext` chunk (EBU Tech 3285 version 1) with its header."""
    history = (f"A=PCM,F={sample_rate},W=16,M={'stereo' if channels == 2 else 'mono'},"
               f"T={ORIGINATOR}\r\n").encode("ascii")
    body = (_field(description, 256) + _field(ORIGINATOR, 32) + _field(reference, 32)
            + b"\0" * 10 + b"\0" * 8  # OriginationDate, OriginationTime: left empty
            + struct.pack("<QH", time_reference, 1) + b"\0" * 64 + b"\0" * 190 + history)
    if len(body) % 2:
        body += b"\0"
    return b"bext" + struct.pack("<L", len(body)) + body


def bwf_bytes(samples: np.ndarray, sample_rate: int, time_reference: int,
              description: str, reference: str) -> bytes:
    """A Broadcast WAV of `samples` (frames x channels, int16)."""
    frames, channels = samples.shape
    data = np.ascontiguousarray(samples, dtype="<i2").tobytes()
    fmt = struct.pack("<HHLLHH", 1, channels, sample_rate, sample_rate * channels * 2,
                      channels * 2, 16)
    chunks = (bext_chunk(description, reference, time_reference, sample_rate, channels)
              + b"fmt " + struct.pack("<L", len(fmt)) + fmt
              + b"data" + struct.pack("<L", len(data)) + data + (b"\0" if len(data) % 2 else b""))
    return b"RIFF" + struct.pack("<L", 4 + len(chunks)) + b"WAVE" + chunks


def time_reference(path: str | Path) -> int | None:
    """The `bext` time reference of a WAV file (samples since midnight), or None."""
    data = Path(path).read_bytes()
    at = 12
    while at + 8 <= len(data):
        kind, size = data[at:at + 4], struct.unpack("<L", data[at + 4:at + 8])[0]
        if kind == b"bext":
            return struct.unpack("<Q", data[at + 8 + 338:at + 8 + 346])[0]
        at += 8 + size + size % 2
    return None


def write_bwf(path: str | Path, samples: np.ndarray, sample_rate: int, time_ref: int,
              description: str, reference: str) -> Path:
    """Write a Broadcast WAV atomically; return the path."""
    data = bwf_bytes(samples, sample_rate, time_ref, description, reference)
    with atomic_write(path) as tmp:
        Path(tmp).write_bytes(data)
    return Path(path)

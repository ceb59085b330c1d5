"""Dynamic marks and their MIDI levels."""

from __future__ import annotations

from ..errors import MotifgenError

#: Dynamic marks -> MIDI velocity (and CC1 level) for attacks. One table: moods,
#: the `dynamics` transform and the harmony's controller curves read it.
DYNAMICS: dict[str, int] = {
    "ppp": 16, "pp": 33, "p": 49, "mp": 64, "mf": 80, "f": 96, "ff": 112, "fff": 127,
}


def dynamic_level(mark: str) -> int:
    """MIDI velocity of a dynamic mark from `DYNAMICS`.

    >>> dynamic_level("mf")
    80
    """
    try:
        return DYNAMICS[mark]
    except KeyError as e:
        raise MotifgenError(f"unknown dynamic {mark!r}; expected one of: "
                            + ", ".join(DYNAMICS)) from e

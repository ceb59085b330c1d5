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


#: Velocities stay within this range for every pitched note: a sample library's pp is
#: soft through the controllers rather than through velocity 1.
VELOCITY_RANGE = (30, 115)
#: Velocity offset per role against the melody's: the lead above its accompaniment.
ROLE_VELOCITY: dict[str, int] = {
    "melody": 0, "counter": -8, "harmony": -14, "bass": -8, "percussion": 0,
}
#: The marks a part's velocities are read back as in notation.
PRINTED_MARKS: tuple[str, ...] = ("pp", "p", "mp", "mf", "f", "ff")


def velocity_of(mark: str) -> int:
    """Velocity of a dynamic mark within `VELOCITY_RANGE`.

    >>> velocity_of("ppp"), velocity_of("mf"), velocity_of("fff")
    (30, 79, 115)
    """
    lo, hi = VELOCITY_RANGE
    raw = DYNAMICS[mark]
    return int(round(lo + (raw - DYNAMICS["ppp"]) * (hi - lo)
                     / (DYNAMICS["fff"] - DYNAMICS["ppp"])))


def dynamic_mark(velocity: float, role: str) -> str:
    """The printed dynamic nearest a note's velocity, the role's offset taken off: the
    mark `velocity_of` and `ROLE_VELOCITY` played it from.

    >>> dynamic_mark(79, "melody"), dynamic_mark(65, "harmony"), dynamic_mark(127, "bass")
    ('mf', 'mf', 'ff')
    """
    level = velocity - ROLE_VELOCITY.get(role, 0)
    return min(PRINTED_MARKS, key=lambda m: abs(velocity_of(m) - level))

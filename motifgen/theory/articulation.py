"""Articulations as lengths: how much of a note's written value sounds.

One table: moods choose from it, the arranger shortens notes by it and notation
lengthens the played notes back to their written values with it.

>>> ARTICULATIONS["staccato"], sorted(ARTICULATIONS)[0]
(0.5, 'legato')
"""

from __future__ import annotations

#: Articulations -> fraction of the written length that sounds.
ARTICULATIONS: dict[str, float] = {
    "legato": 1.0, "tenuto": 0.95, "marcato": 0.75, "staccato": 0.5,
}

"""motifgen: write leitmotifs once, get a DAW-ready sketch for every scene."""

from .errors import MotifgenError
from .motif import Motif, Notes
from .theory import Key

__version__ = "0.1.0"

__all__ = ["Key", "Motif", "MotifgenError", "Notes", "__version__"]

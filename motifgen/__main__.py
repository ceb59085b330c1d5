"""`python -m motifgen` runs the command line."""

from .cli import run

run()

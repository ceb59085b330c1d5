"""New motifs from archetypes and traits: `constraints` (what an archetype and its traits
ask of a motif), `model` (the folk/chorale n-gram) and `train` (its build), `sampler`
(drawing motifs that keep the constraints) and `memorability` (ranking them). Import
from the module that holds a name; nothing is imported here.
"""

"""Developing a motif (the package is `development` because `motifgen.develop` is the
function): `transforms` (pure functions Motif -> Motif), `registry` (their
names and argument checks, `TRANSFORMS`), `chain` (the chain text: parse, format,
apply), `similarity` (how recognisable a development stays) and `vary` (the
variation search and a scene's development). Import from the module that holds a name;
nothing is imported here.
"""

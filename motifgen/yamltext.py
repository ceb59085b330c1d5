"""Tabs where YAML allows them: PyYAML and ruamel.yaml refuse a tab used as separation
(``key: value<TAB># comment``, ``key:<TAB>value``), which the YAML spec allows.

`untab` turns such tabs into spaces (outside indentation, quoted scalars, block scalars
and comments), so a file that only fails for them loads; the loaders try it only when
the text as written does not parse. `restore_lines` puts the original lines (tabs, and
whatever else the round trip respelled) back into a rewritten file wherever a line did
not change.
"""

from __future__ import annotations

import difflib
import re

_BLOCK_START = re.compile(r"(?:^|[:\s-])[|>][-+0-9]*\s*(?:#.*)?$")


def untab(text: str) -> str:
    """`text` with every separating tab made a space (a tab between two words of a plain
    value counts as a space, as YAML reads it); tabs in indentation stay (YAML refuses
    them) and so do tabs in quotes, comments and block scalars."""
    if "\t" not in text:
        return text
    lines, quote, block = [], None, None
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if block is not None and quote is None:
            if not line.strip() or indent > block:
                lines.append(line)
                continue
            block = None
        chars = list(line)
        i = 0 if quote else indent
        while quote is None and i < len(chars) and chars[i] == "\t":
            i += 1  # a tab in the indentation is an error YAML should report
        while i < len(chars):
            c = chars[i]
            if quote:
                if quote == '"' and c == "\\":
                    i += 2
                    continue
                if c == quote:
                    if quote == "'" and i + 1 < len(chars) and chars[i + 1] == "'":
                        i += 2
                        continue
                    quote = None
            elif c == "#" and (i == 0 or chars[i - 1] in " \t"):
                break  # a comment: left as it is
            elif c in "\"'" and (i == indent or chars[i - 1] in " \t[{,:-?"):
                quote = c
            elif c == "\t":
                chars[i] = " "
            i += 1
        new = "".join(chars)
        if quote is None and _BLOCK_START.search(new.split(" #")[0].rstrip() or "x"):
            block = indent
        lines.append(new)
    return "\n".join(lines)


def restore_lines(original: str, normalised: str, written: str) -> str:
    """`written` (a dump of `normalised`, itself `original` through `untab`) with the
    original text of every line that came through unchanged."""
    if original == normalised:
        return written
    old, norm, new = original.split("\n"), normalised.split("\n"), written.split("\n")
    out = list(new)
    matcher = difflib.SequenceMatcher(None, norm, new, autojunk=False)
    for tag, i1, i2, j1, _ in matcher.get_opcodes():
        if tag == "equal":
            out[j1:j1 + i2 - i1] = old[i1:i2]
    return "\n".join(out)

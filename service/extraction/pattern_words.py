"""The words a rule author's pattern asks for: a cue written into the pattern is no cue against it.

"date has not (yet )?been announced" asks for "not" and "yet"; "ceasefire(?! talks)" does not ask for
"talks" (a lookaround refuses it).
"""

from __future__ import annotations

import regex


def pattern_words(source: str) -> frozenset[str]:
    """The lower-cased words a pattern asks for: its words outside lookarounds ("(?! talks)" refuses one)."""
    # Letters of any script: "не" in "дату не оголошено" is asked for as much as "not" is.
    return frozenset(word.lower() for word in regex.findall(r"[^\W\d_']+(?:'[^\W\d_']+)*|'",
                                                            _without_lookarounds(source)) if word != "'")


def _without_lookarounds(source: str) -> str:
    kept: list[str] = []
    index, depth_of_lookaround, depth = 0, 0, 0
    while index < len(source):
        if source[index] == "\\":
            if not depth_of_lookaround:
                kept.append(source[index:index + 2])
            index += 2
            continue
        if source[index] == "(":
            depth += 1
            if not depth_of_lookaround and regex.match(r"\(\?<?[=!]", source[index:]):
                depth_of_lookaround = depth
        elif source[index] == ")":
            if depth == depth_of_lookaround:
                depth_of_lookaround = 0
                depth -= 1
                index += 1
                continue
            depth -= 1
        if not depth_of_lookaround:
            kept.append(source[index])
        index += 1
    return "".join(kept)

"""Short human explanations of a match: which tokens matched and how, what was missing."""

from __future__ import annotations

from streams.screening.normalize import NormalizedName
from streams.screening.scoring import Alignment, whole_groups

__all__ = ["explain_alignment"]

_HOW = {
    "typo": "spelling",
    "variant": "romanisation",
    "initial": "initial",
    "cut": "cut off",
    "joined": "run together",
    "joined slip": "run together, one slip",
    "split": "split",
    "article": "article joined",
    "legal form": "legal form mistyped",
}


def _missing(listed: tuple[str, ...], missing: tuple[int, ...],
             groups: tuple[tuple[int, ...], ...]) -> list[str]:
    """The missing listed tokens; a hyphenated word missing whole is shown as one (`nasir-din`)."""
    whole = {group[0]: group for group in whole_groups(groups, missing)}
    inside = {j for group in whole.values() for j in group}
    return ["-".join(listed[k] for k in whole[j]) if j in whole else listed[j]
            for j in missing if j in whole or j not in inside]


def explain_alignment(query: NormalizedName, listed: tuple[str, ...], alignment: Alignment,
                      groups: tuple[tuple[int, ...], ...] = ()) -> str:
    """One line such as `matched dandong, hongxiang; spelling bznco~banco; missing: co`.

    `groups`: the listed name's hyphenated words (compound_groups).
    """
    q = query.tokens
    exact: list[str] = []
    fuzzy: list[str] = []
    for pair in sorted(alignment.pairs, key=lambda p: p.query):
        q_text = "".join(q[i] for i in pair.query) if pair.how != "split" else \
            "+".join(q[i] for i in pair.query)
        c_text = "+".join(listed[j] for j in pair.listed)
        if pair.how == "exact":
            exact.append(q_text)
        else:
            fuzzy.append(f"{_HOW.get(pair.how, pair.how)} {q_text}~{c_text}")
    parts: list[str] = []
    if exact:
        parts.append("matched " + ", ".join(exact))
    parts.extend(fuzzy)
    if alignment.missing:
        parts.append("missing: " + ", ".join(_missing(listed, alignment.missing, groups)))
    if alignment.truncated_tail:
        parts.append("cut at field end: " + ", ".join(listed[j] for j in alignment.truncated_tail))
    if alignment.extra:
        parts.append("not in listed name: " + ", ".join(q[i] for i in alignment.extra))
    notes = [c for c in query.changes if "->" in c]
    if notes:
        parts.append("normalised " + ", ".join(dict.fromkeys(notes)))
    others = [c for c in query.changes if "->" not in c]
    parts.extend(dict.fromkeys(others))
    if query.capped:
        parts.append("query capped")
    return "; ".join(parts) if parts else "no tokens in common"

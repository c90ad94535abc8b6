"""Helpers shared by the format converters: build canonical models, naming the source element.

A converter assembles plain dicts from the message and validates them here, so a value the
canonical Payment refuses (a bad country code, a name over 350 characters) becomes a
FormatError that names where it came from (`CdtTrfTxInf[2]/Cdtr/PstlAdr/Ctry`, `:59F:`)
instead of a pydantic error about the canonical field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from streams.errors import FormatError

__all__ = ["address_from", "clean_text", "join_text", "validated"]

ModelT = TypeVar("ModelT", bound=BaseModel)

#: How many validation problems one error message lists before "and N more".
MAX_LISTED_ERRORS = 3


def clean_text(value: str | None) -> str | None:
    """The value with runs of whitespace (line breaks, tabs) folded to one space; None if blank."""
    if value is None:
        return None
    folded = " ".join(value.split())
    return folded or None


def join_text(parts: Iterable[str | None], separator: str = " ") -> str | None:
    """The non-blank parts joined with `separator`, or None when there are none."""
    kept = [p for p in (clean_text(part) for part in parts) if p]
    return separator.join(kept) if kept else None


def address_from(
    street: str | None = None,
    town: str | None = None,
    postcode: str | None = None,
    country: str | None = None,
) -> dict[str, str] | None:
    """An address dict with only the parts present, or None when every part is absent."""
    parts = {"street": street, "town": town, "postcode": postcode, "country": country}
    kept = {k: v for k, v in ((k, clean_text(v)) for k, v in parts.items()) if v}
    return kept or None


def validated(
    model: type[ModelT],
    data: Mapping[str, Any],
    where: str,
    sources: Mapping[str, str] | None = None,
) -> ModelT:
    """`model` validated from `data`; a refusal becomes a FormatError naming the source element.

    `sources` maps a canonical field (dotted for nested ones, `address.country`) to the
    element or field it came from, so that the reason reads `CdtTrfTxInf[1]/IntrBkSttlmAmt`
    rather than `amount`. Values are
    never echoed: they may be account numbers.
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise FormatError(_describe(exc, where, sources or {}), "validation") from exc


def _describe(exc: ValidationError, where: str, sources: Mapping[str, str]) -> str:
    parts = []
    for err in exc.errors()[:MAX_LISTED_ERRORS]:
        loc = [str(p) for p in err["loc"]]
        for length in range(len(loc), 0, -1):  # the longest dotted prefix that has a source
            source = sources.get(".".join(loc[:length]))
            if source is not None:
                loc = [source, *loc[length:]]
                break
        path = "/".join(p for p in [where, *loc] if p) or "(message)"
        parts.append(f"{path}: {err['msg']}")
    more = exc.error_count() - MAX_LISTED_ERRORS
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


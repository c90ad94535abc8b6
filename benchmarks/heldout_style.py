"""A held-out-style eval: SDN entries outside the dev set, with payment-message variations.

    python -m benchmarks.heldout_style [--entries N] [--seed S] [--misses N] [--write FILE]

Draws SDN entries that the dev eval set does not use (fixed seed), writes each one as a
payment message would (given name first, upper case) and applies one variation per row:
35-character truncation, first name as an initial, missing or extra spaces, two typos,
dropped or added legal forms, word order, abbreviations, Cyrillic script, diacritics,
`&`/`and`, hyphens, punctuation; UN entries with an original-script name give
`original_script` rows. Two families of the dev set itself, one random typo in the listed
name (`dev_one_typo`) and an inner word of a four-word person left out (`dev_drop_middle`),
are drawn apart on 2,000 SDN and UN entries outside it: how the dev figures carry over to
entries the screener was not tuned on. Negatives are generated people and companies (own
name generator), kept only when rapidfuzz `token_sort_ratio` puts them below 80 against every
listed name.
Prints recall per variation and the false-positive rate; exits 0 (a measurement, not a gate).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.heldout_names import (
    ABBREVIATIONS,
    LEGAL_SUFFIXES,
    cyrillic,
    diacritics,
    negatives,
)
from streams.screening.entities import Entity, EntityType
from streams.screening.evaluation import format_report, run_eval
from streams.screening.listset import load_lists
from streams.screening.screener import DEFAULT_THRESHOLD, Screener

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_DIR.parent / "shared" / "data"
SWIFT_LINE = 35  # characters in one MT name/address line
Variation = Callable[[random.Random, Entity, str], str | None]


def payment_form(entity: Entity) -> str:
    """The primary name as a payment writes it: `LAST, First` becomes `FIRST LAST`."""
    name = entity.name
    if entity.type is EntityType.PERSON and name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        if first and last:
            name = f"{first} {last}"
    return name.upper()


def _words(text: str) -> list[str]:
    return text.split()


def truncated(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Cut at the SWIFT line length (only names longer than one line)."""
    return name[:SWIFT_LINE].rstrip() if len(name) > SWIFT_LINE + 2 else None


def initials(rng: random.Random, entity: Entity, name: str) -> str | None:
    """The first given name written as an initial (`J. SMITH`, `J SMITH`)."""
    words = _words(name)
    if entity.type is not EntityType.PERSON or len(words) < 2 or len(words[0]) < 3:
        return None
    return " ".join([words[0][0] + rng.choice([".", ""]), *words[1:]])


def missing_space(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Two neighbouring words written together."""
    words = _words(name)
    if len(words) < 2:
        return None
    i = rng.randrange(len(words) - 1)
    return " ".join([*words[:i], words[i] + words[i + 1], *words[i + 2:]])


def extra_space(rng: random.Random, entity: Entity, name: str) -> str | None:
    """A space inside a word of six letters or more."""
    long = [i for i, w in enumerate(_words(name)) if len(w) >= 6 and w.isalpha()]
    if not long:
        return None
    words = _words(name)
    i = rng.choice(long)
    cut = rng.randrange(2, len(words[i]) - 2)
    words[i] = words[i][:cut] + " " + words[i][cut:]
    return " ".join(words)


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = rng.choice(letters)
    kind = rng.choice(["sub", "del", "ins", "swap"])
    ch = rng.choice("ABCDEFGHIJKLMNOPRSTUVWYZ")
    if kind == "sub":
        return text[:i] + ch + text[i + 1:]
    if kind == "del":
        return text[:i] + text[i + 1:]
    if kind == "ins":
        return text[:i] + ch + text[i:]
    if i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + ch + text[i + 1:]


def two_typos(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Two random edits anywhere in the name (names of ten letters or more)."""
    if sum(ch.isalpha() for ch in name) < 10:
        return None
    return _typo(rng, _typo(rng, name))


def legal_form(rng: random.Random, entity: Entity, name: str) -> str | None:
    """A company's legal form dropped, or one added when it has none."""
    if entity.type is not EntityType.ORGANIZATION:
        return None
    words = _words(name.replace(",", " ").replace(".", " "))
    suffixes = {"LTD", "LIMITED", "CO", "LLC", "INC", "CORP", "SA", "JSC", "GMBH", "PLC"}
    if len(words) > 2 and words[-1] in suffixes:
        while len(words) > 1 and words[-1] in suffixes:
            words.pop()
        return " ".join(words)
    return f"{name} {rng.choice(LEGAL_SUFFIXES)}"


def word_order(rng: random.Random, entity: Entity, name: str) -> str | None:
    """A person written surname first without a comma, or two words swapped."""
    words = _words(name)
    if entity.type is not EntityType.PERSON or len(words) < 2:
        return None
    return " ".join([words[-1], *words[:-1]])


def abbreviations(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Common payment abbreviations (INTERNATIONAL -> INTL, COMPANY -> CO, ...)."""
    words = _words(name)
    out = [ABBREVIATIONS.get(w.strip(",."), w) for w in words]
    return " ".join(out) if out != words else None


def in_cyrillic(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Names of Russian, Ukrainian, Belarusian or Korean people written in Cyrillic."""
    if entity.type is not EntityType.PERSON or not {"RU", "UA", "BY", "KP"} & set(
            entity.countries):
        return None
    return cyrillic(name)


def with_diacritics(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Letters carrying accents (a -> á, n -> ñ) as other systems write them."""
    return diacritics(rng, name)


def ampersand(rng: random.Random, entity: Entity, name: str) -> str | None:
    """`AND` written `&` or the other way round."""
    if " AND " in name:
        return name.replace(" AND ", " & ")
    if "&" in name:
        return name.replace("&", " AND ").replace("  ", " ")
    return None


def hyphens(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Hyphens dropped or spaces written as hyphens."""
    if "-" in name:
        return name.replace("-", rng.choice([" ", ""]))
    words = _words(name)
    if len(words) < 2:
        return None
    i = rng.randrange(len(words) - 1)
    return " ".join([*words[:i], words[i] + "-" + words[i + 1], *words[i + 2:]])


def punctuation(rng: random.Random, entity: Entity, name: str) -> str | None:
    """Punctuation dropped, or commas and dots added after words."""
    if any(ch in name for ch in ",.'"):
        return "".join(ch for ch in name if ch not in ",.'")
    words = _words(name)
    if len(words) < 2:
        return None
    return ", ".join(words[:-1]) + ". " + words[-1] if rng.random() < 0.5 else name + "."


VARIATIONS: dict[str, Variation] = {
    "truncate35": truncated, "initials": initials, "missing_space": missing_space,
    "extra_space": extra_space, "two_typos": two_typos, "legal_form": legal_form,
    "word_order": word_order, "abbreviations": abbreviations, "cyrillic": in_cyrillic,
    "diacritics": with_diacritics, "ampersand": ampersand, "hyphens": hyphens,
    "punctuation": punctuation,
}


def build_rows(entities: Sequence[Entity], dev_ids: set[str], count: int,
               seed: int) -> list[dict[str, object]]:
    """Positive rows from SDN entries outside the dev set, plus original-script UN rows."""
    rng = random.Random(seed)
    pool = sorted((e for e in entities if e.list_id == "ofac_sdn" and e.entry_id not in dev_ids
                   and e.type in (EntityType.PERSON, EntityType.ORGANIZATION)),
                  key=lambda e: int(e.entry_id) if e.entry_id.isdigit() else 0)
    rows: list[dict[str, object]] = []
    for entity in rng.sample(pool, min(count, len(pool))):
        base = payment_form(entity)
        for family, vary in VARIATIONS.items():
            query = vary(rng, entity, base)
            if query and query.strip() and query != base:
                rows.append({"query": query, "expect": f"ofac_sdn:{entity.entry_id}",
                             "family": family, "type": entity.type.value})
    scripts = [e for e in entities if e.list_id != "ofac_sdn"
               and any(a.kind == "original_script" for a in e.aliases)]
    for entity in rng.sample(scripts, min(count // 4, len(scripts))):
        alias = next(a for a in entity.aliases if a.kind == "original_script")
        rows.append({"query": alias.name, "expect": f"{entity.list_id}:{entity.entry_id}",
                     "family": "original_script", "type": entity.type.value})
    return rows


def one_typo(rng: random.Random, entity: Entity) -> str | None:
    """One random edit in the listed name as the list writes it, upper case (dev `typo1`)."""
    name = entity.name.upper()
    return _typo(rng, name) if sum(ch.isalpha() for ch in name) >= 3 else None


def drop_middle(rng: random.Random, entity: Entity) -> str | None:
    """A person of four words or more, given names first, with one inner word left out (dev
    `drop_middle`)."""
    if entity.type is not EntityType.PERSON or entity.name.count(",") != 1:
        return None
    last, first = (p.strip() for p in entity.name.split(","))
    words = [*_words(first), *_words(last)]
    if len(words) < 4:
        return None
    del words[rng.randint(1, len(words) - 2)]
    return " ".join(w.title() for w in words)


DEV_STYLE: dict[str, Callable[[random.Random, Entity], str | None]] = {
    "dev_one_typo": one_typo, "dev_drop_middle": drop_middle,
}


def dev_style_rows(entities: Sequence[Entity], dev_ids: set[str], count: int,
                   seed: int) -> list[dict[str, object]]:
    """Two dev-set families on SDN and UN entries outside the dev set (their own draw)."""
    rng = random.Random(seed)
    pool = sorted((e for e in entities if e.list_id in ("ofac_sdn", "un_sc")
                   and e.entry_id not in dev_ids
                   and e.type in (EntityType.PERSON, EntityType.ORGANIZATION)),
                  key=lambda e: (e.list_id, e.entry_id))
    rows: list[dict[str, object]] = []
    for entity in rng.sample(pool, min(count, len(pool))):
        for family, vary in DEV_STYLE.items():
            query = vary(rng, entity)
            if query and query.strip():
                rows.append({"query": query, "expect": entity.key, "family": family,
                             "type": entity.type.value})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """Build the rows, screen them, print recall per variation and false positives."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lists", type=Path, nargs="+", default=[SHARED_DATA / "lists"])
    parser.add_argument("--dev", type=Path, default=SHARED_DATA / "eval" / "names-dev.jsonl")
    parser.add_argument("--entries", type=int, default=800)
    parser.add_argument("--negatives", type=int, default=3000)
    parser.add_argument("--dev-style", type=int, default=2000,
                        help="entries for the dev-set families (one typo, a word left out)")
    parser.add_argument("--seed", type=int, default=20261129)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--write", type=Path, help="also write the rows as JSON lines")
    args = parser.parse_args(argv)
    with args.dev.open(encoding="utf-8") as handle:
        dev_ids = {str(json.loads(line)["expect"]).split(":")[-1] for line in handle}
    lists = load_lists(args.lists)
    screener = Screener(lists, threshold=args.threshold)
    entities = list(lists.entities())
    rows = build_rows(entities, dev_ids, args.entries, args.seed)
    rows += dev_style_rows(entities, dev_ids, args.dev_style, args.seed + 2)
    listed = [n for n in (screener.index.names[i].name for i in range(len(screener.index)))]
    surnames = sorted({e.name.split(",")[0].strip().upper() for e in entities
                       if e.type is EntityType.PERSON and "," in e.name
                       and e.name.split(",")[0].strip().isalpha()})
    rows += negatives(random.Random(args.seed + 1), args.negatives, listed, surnames)
    if args.write:
        args.write.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = run_eval(screener, rows)
    print(format_report(report, args.threshold))
    for name in sorted(report.families):
        for miss in report.families[name].misses[:args.misses]:
            print(f"  {name}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

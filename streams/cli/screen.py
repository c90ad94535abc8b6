"""`streams screen` and `streams match`: screen names against the lists, score one pair.

The batch JSON form is a contract other tools read: one object per input line, in order,
`{"query": str, "hits": [{"list", "entry_id", "name", "score", "programs", "explanation"}]}`
with the hits at or above the default alert threshold, best first.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import click

from streams.errors import ListLoadError
from streams.screening.entities import EntityType
from streams.screening.normalize import MAX_NAME_CHARS, MAX_NAME_TOKENS, normalize_name
from streams.screening.screener import (
    DEFAULT_THRESHOLD,
    NameHit,
    Screener,
    name_problem,
    score_pair,
)
from streams.settings import Settings

__all__ = ["commands"]


def _build_screener(paths: Sequence[Path]) -> Screener:
    """Load the lists (given paths, else the configured ones) and index them."""
    from streams.assembly import lists_paths_for
    from streams.screening.listset import load_lists

    if paths:
        chosen = list(paths)
    else:
        settings = Settings()  # type: ignore[call-arg]
        chosen = lists_paths_for(settings.resolved_lists_paths(), settings.resolved_rules_dir())
    try:
        return Screener(load_lists(chosen))
    except ListLoadError as exc:
        raise click.ClickException(str(exc)) from exc


def hit_json(hit: NameHit) -> dict[str, Any]:
    """One hit in the batch JSON contract."""
    return {
        "list": hit.list_id, "entry_id": hit.entry_id, "name": hit.entry_name,
        "score": hit.score, "programs": list(hit.programs), "explanation": hit.explanation,
    }


def _warn(where: str, name: str) -> None:
    """Say on stderr why a name gives no hits or was capped (stdout keeps the contract)."""
    problem = name_problem(name)
    if problem:
        click.echo(f"{where}: {problem}; no hits", err=True)
    elif normalize_name(name).capped:
        click.echo(f"{where}: name is {len(name)} characters; screened its first "
                   f"{MAX_NAME_CHARS} characters and {MAX_NAME_TOKENS} words", err=True)


def _batch_lines(handle: TextIO) -> Iterator[str]:
    """The names of a batch file, one a line, line ends stripped (empty lines kept)."""
    for line in handle:
        yield line.rstrip("\r\n")


def _print_hits(name: str, hits: Sequence[NameHit]) -> None:
    """Hits as a readable block."""
    if not hits:
        click.echo(f"{name!r}: no hits at or above {DEFAULT_THRESHOLD:g}")
        return
    click.echo(f"{name!r}: {len(hits)} hit{'s' if len(hits) > 1 else ''}")
    for hit in hits:
        programs = ", ".join(hit.programs) or "-"
        click.echo(f"  {hit.score:5.1f}  {hit.list_id}:{hit.entry_id}  {hit.entry_name}  "
                   f"[{hit.entity_type.value}; {programs}]")
        if hit.matched_name != hit.entry_name:
            click.echo(f"         matched alias: {hit.matched_name}")
        click.echo(f"         {hit.explanation}")


@click.command("screen")
@click.argument("names", nargs=-1)
@click.option("--batch", "batch_file", type=click.Path(dir_okay=False, allow_dash=True,
              path_type=Path), help="file of names, one a line (- for stdin)")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per name")
@click.option("--lists", "lists_paths", multiple=True, type=click.Path(exists=True,
              path_type=Path), help="list file or directory (repeatable)")
@click.option("--type", "entity_type", type=click.Choice([t.value for t in EntityType]),
              default=None, help="only entries of this type")
@click.option("--min-score", type=click.FloatRange(0, 100), default=None,
              help=f"show hits from this score (default: the alert threshold "
                   f"{DEFAULT_THRESHOLD:g}; --batch --json always uses the threshold)")
def screen_command(names: tuple[str, ...], batch_file: Path | None, as_json: bool,
                   lists_paths: tuple[Path, ...], entity_type: str | None,
                   min_score: float | None) -> None:
    """Screen NAMES (or a --batch file) against the sanctions lists."""
    if not names and batch_file is None:
        raise click.UsageError("give a NAME or --batch FILE")
    screener = _build_screener(lists_paths)
    kind = EntityType(entity_type) if entity_type else None
    if batch_file is not None:
        source = "<stdin>" if str(batch_file) == "-" else str(batch_file)
        try:
            handle = sys.stdin if str(batch_file) == "-" else batch_file.open(
                encoding="utf-8", errors="replace")
        except OSError as exc:
            raise click.ClickException(f"{source}: {exc.strerror or exc}") from exc
        with handle:
            for number, name in enumerate(_batch_lines(handle), start=1):
                _emit(screener, name, kind, None if as_json else min_score, as_json,
                      f"{source}:{number}")
    for name in names:
        _emit(screener, name, kind, min_score, as_json, "argument")


def _emit(screener: Screener, name: str, kind: EntityType | None, min_score: float | None,
          as_json: bool, where: str) -> None:
    """Screen one name and print it in the chosen form."""
    _warn(where, name)
    hits = screener.screen_name(name, kind, min_score=min_score)
    if as_json:
        click.echo(json.dumps({"query": name, "hits": [hit_json(h) for h in hits]},
                              ensure_ascii=False))
    else:
        _print_hits(name, hits)


@click.command("match")
@click.argument("name_a")
@click.argument("name_b")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def match_command(name_a: str, name_b: str, as_json: bool) -> None:
    """Score NAME_A (as screened) against NAME_B (as listed) with the screener's scorer."""
    result = score_pair(name_a, name_b)
    if as_json:
        click.echo(json.dumps({"score": result.score, "match": result.match,
                               "explanation": result.explanation}, ensure_ascii=False))
        return
    verdict = "match" if result.match else "no match"
    click.echo(f"{result.score:.1f} ({verdict} at threshold {DEFAULT_THRESHOLD:g})")
    click.echo(result.explanation)


commands: list[click.Command] = [screen_command, match_command]

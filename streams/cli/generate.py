"""`streams generate`: realistic synthetic payments as JSON Lines, for demos and load tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO

import click

from streams.errors import StreamsError

__all__ = ["commands"]


@click.command("generate")
@click.argument("count", type=click.IntRange(min=0))
@click.option("--seed", default=0, show_default=True, type=int,
              help="Random seed: the same seed and lists give the same payments.")
@click.option("--flagged-share", default=0.05, show_default=True, type=click.FloatRange(0, 1),
              help="Share of payments that touch a listed party or a North Korea-linked bank.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@click.option("--lists", "lists_paths", multiple=True, type=click.Path(exists=True,
              path_type=Path), help="List file or directory to take listed parties from "
              "(repeatable; default: the configured lists, else the shipped sample).")
def generate_command(count: int, seed: int, flagged_share: float, out_path: Path | None,
                     lists_paths: tuple[Path, ...]) -> None:
    """Write COUNT payments in the message contract, one JSON object per line."""
    from streams.generate import PaymentGenerator
    from streams.screening.listset import load_lists
    from streams.settings import Settings

    paths = list(lists_paths) or Settings().resolved_lists_paths()  # type: ignore[call-arg]
    try:
        lists = load_lists(paths)
    except StreamsError as exc:
        raise click.ClickException(str(exc)) from exc
    generator = PaymentGenerator(list(lists.entities()), seed=seed, flagged_share=flagged_share)
    flagged = 0
    out: IO[str] = open(out_path, "w", encoding="utf-8") if out_path else sys.stdout  # noqa: SIM115
    try:
        for _ in range(count):
            generated = generator.next_payment()
            flagged += generated.flag_reason is not None
            out.write(json.dumps(generated.payment, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
    finally:
        if out_path:
            out.close()
    where = str(out_path) if out_path else "standard output"
    click.echo(f"wrote {count} payments to {where}; {flagged} touch a listed party or a "
               f"North Korea-linked bank (lists: {', '.join(str(p) for p in paths)})", err=True)


commands: list[click.Command] = [generate_command]

"""`streams convert`: print the canonical JSON of a pacs.008 or MT103 file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from streams.errors import PaymentDecodeError
from streams.formats import FORMATS, decode_any, decode_as
from streams.settings import Settings


@click.command("convert")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "wire_format", type=click.Choice(["auto", *FORMATS]), default="auto",
              show_default=True, help="Input format; auto tells them apart by the first bytes.")
@click.option("--pretty", is_flag=True, help="Indent the JSON (default: one payment per line).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Refuse larger files [default: STREAMS_MAX_MESSAGE_BYTES].")
def convert_command(file: Path, wire_format: str, pretty: bool, max_bytes: int | None) -> None:
    """Print the canonical payment JSON of FILE (pacs.008 XML, MT103 or JSON; - for stdin).

    A pacs.008 with several CdtTrfTxInf prints one payment per line, the form the payments
    topic and `streams replay` take. A message that cannot be converted exits with status 1
    and the reason naming the element or field.
    """
    limit = max_bytes or Settings().max_message_bytes  # type: ignore[call-arg]
    source = "<stdin>" if str(file) == "-" else str(file)
    try:
        raw = _read_bounded(file, limit)
    except OSError as exc:
        raise click.ClickException(f"{source}: {exc.strerror or exc}") from exc
    try:
        if wire_format == "auto":
            payments = decode_any(raw, max_bytes=limit)
        else:
            payments = decode_as(raw, wire_format, max_bytes=limit)  # type: ignore[arg-type]
    except PaymentDecodeError as exc:
        raise click.ClickException(f"{source}: {exc.reason} [{exc.error_type}]") from exc
    for payment in payments:
        click.echo(payment.model_dump_json(exclude_none=True, indent=2 if pretty else None))


def _read_bounded(file: Path, limit: int) -> bytes:
    """At most limit + 1 bytes of the file, so an oversize one is refused without reading it all."""
    if str(file) == "-":
        return sys.stdin.buffer.read(limit + 1)
    with file.open("rb") as handle:
        return handle.read(limit + 1)


commands: list[click.Command] = [convert_command]

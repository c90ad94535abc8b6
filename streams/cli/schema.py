"""`streams schema`: print the JSON Schema of a message in the contract."""

from __future__ import annotations

import json

import click

from streams.models import SCHEMAS


@click.command("schema")
@click.argument("message", type=click.Choice(sorted(SCHEMAS)))
def schema_command(message: str) -> None:
    """Print the JSON Schema of MESSAGE (payment, alert, result, dead-letter)."""
    model = SCHEMAS[message]
    click.echo(json.dumps(model.model_json_schema(mode="serialization"), indent=2))


commands: list[click.Command] = [schema_command]

"""The `streams` console script: gathers the commands of every CLI module."""

from __future__ import annotations

import click

from streams import __version__
from streams.cli import formats, generate, lists, rules, schema, screen, worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="streams")
def cli() -> None:
    """streams: Kafka-native sanctions screening of payments."""


for _module in (schema, worker, generate, lists, screen, rules, formats):
    for _command in _module.commands:
        cli.add_command(_command)

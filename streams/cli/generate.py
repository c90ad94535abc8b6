"""CLI commands of this group (being written)."""

from __future__ import annotations

import click

commands: list[click.Command] = []

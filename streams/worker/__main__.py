"""`python -m streams.worker`: the `streams worker` command (how child workers are started)."""

from __future__ import annotations

from streams.cli.worker import worker_command

if __name__ == "__main__":
    worker_command(prog_name="streams worker")

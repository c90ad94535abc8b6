"""`streams rules validate|test` for rule authors, and `streams replay` to screen a file offline."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import click

from streams.errors import ListLoadError, RuleError
from streams.settings import Settings

__all__ = ["commands"]


def _settings() -> Settings:
    return Settings.model_validate({})


def _rules_dir(directory: Path | None) -> Path:
    return directory if directory is not None else _settings().resolved_rules_dir()


def _load_or_exit(directory: Path):  # type: ignore[no-untyped-def]
    from streams.rules.loader import RuleSetInvalid, load_ruleset

    try:
        return load_ruleset(directory)
    except RuleSetInvalid as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        click.echo(f"{len(exc.errors)} error(s) in {directory}", err=True)
        raise SystemExit(1) from exc
    except RuleError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from exc


def _load_lists_or_exit(paths: Sequence[Path], rules_dir: Path):  # type: ignore[no-untyped-def]
    from streams.assembly import lists_paths_for
    from streams.screening.listset import load_lists

    chosen = list(paths) or _settings().resolved_lists_paths()
    try:
        return load_lists(lists_paths_for(chosen, rules_dir))
    except ListLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc


@click.group("rules")
def rules_group() -> None:
    """Validate and test rule files."""


@rules_group.command("validate")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def validate(directory: Path | None) -> None:
    """Check every rule file of DIRECTORY; each error names file, line and field."""
    from datetime import date

    from streams.rules.fixtures import FixtureFile, fixture_files
    from streams.rules.loader import RuleSetInvalid, parse_yaml_model

    directory = _rules_dir(directory)
    ruleset = _load_or_exit(directory)
    fixture_errors = 0
    for path in fixture_files(directory):
        try:
            parse_yaml_model(path, FixtureFile)
        except RuleSetInvalid as exc:
            fixture_errors += len(exc.errors)
            for error in exc.errors:
                click.echo(f"error: {error}", err=True)
    if fixture_errors:
        click.echo(f"{fixture_errors} error(s) in the fixtures of {directory}", err=True)
        raise SystemExit(1)
    today = date.today()
    for entry in ruleset.allow:
        if entry.expires < today:
            click.echo(f"warning: allow entry {entry.id} expired on {entry.expires} and no "
                       "longer applies", err=True)
    click.echo(f"ok: {len(ruleset.rules)} rules ({len(ruleset.enabled_rules)} enabled), "
               f"{len(ruleset.sets)} sets, {len(ruleset.macros)} macros, {len(ruleset.allow)} "
               f"allow entries in {len(ruleset.files)} files; ruleset {ruleset.version}")


@rules_group.command("test")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--lists", "lists_paths", multiple=True, type=click.Path(path_type=Path),
              help="list files or directories (default: the configured lists)")
@click.option("-v", "--verbose", is_flag=True, help="show passed cases too")
def test(directory: Path | None, lists_paths: tuple[Path, ...], verbose: bool) -> None:
    """Run the fixtures in DIRECTORY/tests against the rules and the lists in force."""
    from streams.pipeline import PaymentScreener
    from streams.rules.engine import RuleEngine
    from streams.rules.fixtures import describe, fixture_files, run_fixture_file
    from streams.rules.window import InMemoryWindowStore
    from streams.screening.screener import Screener

    directory = _rules_dir(directory)
    ruleset = _load_or_exit(directory)
    lists = _load_lists_or_exit(lists_paths, directory)
    name_screener = Screener(lists)
    versions = lists.versions()

    def make_screener() -> PaymentScreener:
        engine = RuleEngine(ruleset, name_screener, lists, store=InMemoryWindowStore())
        return PaymentScreener(engine, versions)

    files = fixture_files(directory)
    if not files:
        click.echo(f"error: no fixture files in {directory / 'tests'}", err=True)
        raise SystemExit(1)
    counts: dict[str, int] = {}
    for path in files:
        for result in run_fixture_file(path, make_screener, set(versions)):
            counts[result.status] = counts.get(result.status, 0) + 1
            if verbose or result.status != "passed":
                click.echo(describe(result))
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    click.echo(f"{summary} in {len(files)} files; ruleset {ruleset.version}; lists "
               + ", ".join(f"{k}={v}" for k, v in versions.items()))
    if counts.get("failed") or counts.get("error"):
        raise SystemExit(1)


def _open_out(path: Path | None, default: IO[str] | None) -> IO[str] | None:
    if path is None:
        return default
    return path.open("w", encoding="utf-8")


@click.command("replay")
@click.argument("payments", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rules", "rules_dir", type=click.Path(path_type=Path), help="rule directory")
@click.option("--lists", "lists_paths", multiple=True, type=click.Path(path_type=Path),
              help="list files or directories (default: the configured lists)")
@click.option("--alerts", "alerts_out", type=click.Path(dir_okay=False, path_type=Path),
              help="write alerts here (default: standard output)")
@click.option("--results", "results_out", type=click.Path(dir_okay=False, path_type=Path),
              help="write screening results here")
@click.option("--compare", "compare_dir", type=click.Path(path_type=Path),
              help="report how the alerts of this other rule directory differ")
def replay_command(payments: Path, rules_dir: Path | None, lists_paths: tuple[Path, ...],
                   alerts_out: Path | None, results_out: Path | None,
                   compare_dir: Path | None) -> None:
    """Screen a JSON Lines file of payments offline, as the agents would."""
    from streams.assembly import screener_for
    from streams.replay import compare_rulesets, payments_of, replay

    directory = _rules_dir(rules_dir)
    ruleset = _load_or_exit(directory)
    lists = _load_lists_or_exit(lists_paths, directory)
    screener = screener_for(lists, ruleset)
    if compare_dir is not None:
        other = screener_for(lists, _load_or_exit(compare_dir))
        comparison = compare_rulesets(payments_of(payments), screener, other)
        click.echo(f"A = {directory} ({screener.ruleset_version}), B = {compare_dir} "
                   f"({other.ruleset_version})")
        click.echo(comparison.report())
        return

    alerts = _open_out(alerts_out, sys.stdout)
    results = _open_out(results_out, None)
    size = payments.stat().st_size
    show_progress = sys.stderr.isatty()
    try:
        bar_context = click.progressbar(length=size, label="replay", file=sys.stderr) \
            if show_progress else contextlib.nullcontext(None)
        with payments.open("rb") as stream, bar_context as bar:
            def on_outcome(outcome):  # type: ignore[no-untyped-def]
                if outcome.alert is not None and alerts is not None:
                    alerts.write(outcome.alert.model_dump_json() + "\n")
                if results is not None:
                    results.write(outcome.result.model_dump_json() + "\n")

            def on_bad(bad):  # type: ignore[no-untyped-def]
                click.echo(f"{payments}:{bad.line}: {bad.error_type}: {bad.error}", err=True)

            stats = replay(stream, screener, on_outcome=on_outcome, on_bad_line=on_bad,
                           on_bytes=bar.update if bar is not None else None)
    finally:
        for out in (alerts, results):
            if out is not None and out is not sys.stdout:
                out.close()
    click.echo(
        f"{stats.payments} payments, {stats.alerts} alerts, {stats.bad_lines} bad lines in "
        f"{stats.seconds:.2f} s ({stats.payments_per_second:.0f} payments/s); decisions "
        + ", ".join(f"{k}={v}" for k, v in sorted(stats.decisions.items()))
        + "; rules " + (", ".join(f"{k}={v}" for k, v in sorted(stats.rules.items())) or "none"),
        err=True,
    )


commands: list[click.Command] = [rules_group, replay_command]

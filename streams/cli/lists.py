"""`streams lists info|show|update`: what the loaded lists hold, one entry, and downloading them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from streams.errors import ListLoadError
from streams.screening.entities import Entity
from streams.screening.listset import ListSet
from streams.settings import Settings

__all__ = ["commands"]

lists_option = click.option(
    "--lists", "lists_paths", multiple=True, type=click.Path(path_type=Path),
    help="list file or directory (repeatable); default: the configured lists and rules/lists/",
)


def _load_or_exit(paths: Sequence[Path]) -> ListSet:
    from streams.assembly import lists_paths_for
    from streams.screening.listset import load_lists

    settings = Settings()  # type: ignore[call-arg]
    chosen = list(paths) or lists_paths_for(
        settings.resolved_lists_paths(), settings.resolved_rules_dir()
    )
    try:
        return load_lists(chosen)
    except ListLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from exc


@click.group("lists")
def lists_group() -> None:
    """Inspect and update the sanctions lists."""


def _summary(lists: ListSet) -> dict[str, Any]:
    out: dict[str, Any] = {"load_seconds": round(lists.load_seconds, 3), "lists": {}}
    for list_id, snapshot in lists.snapshots.items():
        out["lists"][list_id] = {
            "version": snapshot.version,
            "source": snapshot.source,
            "entries": len(snapshot.entities),
            "by_type": dict(Counter(e.type.value for e in snapshot.entities).most_common()),
            "by_program": dict(
                Counter(p for e in snapshot.entities for p in e.programs).most_common()
            ),
            "financial_institutions": sum(e.is_financial_institution for e in snapshot.entities),
        }
    out["nk_banks"] = len(lists.nk_banks.entries())
    return out


@lists_group.command("info")
@lists_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--programs", "max_programs", default=12, show_default=True,
              help="programs shown per list (0: all)")
def info(lists_paths: tuple[Path, ...], as_json: bool, max_programs: int) -> None:
    """Entries by list, type and program; each list's version; the load time."""
    lists = _load_or_exit(lists_paths)
    summary = _summary(lists)
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    for list_id, item in summary["lists"].items():
        click.echo(f"{list_id}: {item['entries']} entries, version {item['version']}")
        click.echo(f"  source: {item['source']}")
        click.echo("  types: " + ", ".join(f"{k} {v}" for k, v in item["by_type"].items()))
        programs = list(item["by_program"].items())
        shown = programs if max_programs <= 0 else programs[:max_programs]
        more = f", ... ({len(programs) - len(shown)} more)" if len(shown) < len(programs) else ""
        click.echo("  programs: " + (", ".join(f"{k} {v}" for k, v in shown) or "-") + more)
        click.echo(f"  financial institutions: {item['financial_institutions']}")
    click.echo(f"North Korea-linked banks: {summary['nk_banks']}")
    click.echo(f"loaded in {summary['load_seconds']:.3f} s")


def _entity_dict(entity: Entity, lists: ListSet) -> dict[str, Any]:
    data = asdict(entity)
    data["type"] = entity.type.value
    data["key"] = entity.key
    data["nk_linked"] = lists.nk_banks.reason_for(entity)
    return data


@lists_group.command("show")
@click.argument("key")
@lists_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def show(key: str, lists_paths: tuple[Path, ...], as_json: bool) -> None:
    """Show one entry, KEY = LIST:ID (for example ofac_sdn:15603 or un_sc:KPe.001)."""
    list_id, sep, entry_id = key.partition(":")
    if not sep or not list_id or not entry_id:
        raise click.BadParameter("expected LIST:ID, for example ofac_sdn:15603", param_hint="KEY")
    lists = _load_or_exit(lists_paths)
    entity = lists.get(list_id, entry_id)
    if entity is None:
        known = ", ".join(sorted(lists.snapshots))
        click.echo(f"error: no entry {key} (lists loaded: {known})", err=True)
        raise SystemExit(1)
    data = _entity_dict(entity, lists)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{entity.key}  {entity.name}  [{entity.type.value}]")
    click.echo(f"  version: {lists.snapshots[list_id].version}")
    if entity.programs:
        click.echo(f"  programs: {', '.join(entity.programs)}")
    if entity.countries:
        click.echo(f"  countries: {', '.join(entity.countries)}")
    for alias in entity.aliases:
        quality = f", {alias.quality}" if alias.quality else ""
        click.echo(f"  alias: {alias.name} ({alias.kind}{quality})")
    for ident in entity.identifiers:
        extra = "".join(f" ({x})" for x in (ident.country, ident.note) if x)
        click.echo(f"  {ident.kind}: {ident.value}{extra}")
    for address in entity.addresses:
        parts = [address.street, address.city, address.region, address.postcode,
                 address.country_name or address.country]
        click.echo(f"  address: {', '.join(p for p in parts if p) or '(none given)'}")
    if entity.birth_dates:
        click.echo(f"  born: {', '.join(entity.birth_dates)}")
    click.echo(f"  financial institution: {'yes' if entity.is_financial_institution else 'no'}")
    if data["nk_linked"]:
        click.echo(f"  North Korea-linked: {data['nk_linked']}")
    if entity.remarks:
        click.echo(f"  remarks: {entity.remarks}")


@lists_group.command("nk-banks")
@lists_option
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def nk_banks(lists_paths: tuple[Path, ...], as_json: bool) -> None:
    """The North Korea-linked banks view: each entry, why it is in the view, its BICs."""
    lists = _load_or_exit(lists_paths)
    view = lists.nk_banks
    rows = [{"key": e.key, "name": e.name, "bics": list(e.identifier_values("bic")),
             "reason": view.reason_for(e)} for e in view.entries()]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        bics = f"  [{', '.join(row['bics'])}]" if row["bics"] else ""
        click.echo(f"{row['key']}  {row['name']}{bics}")
    click.echo(f"{len(rows)} North Korea-linked banks; any BIC with country KP is linked as well")


@lists_group.command("update")
@click.option("--lists-dir", type=click.Path(path_type=Path), default=None,
              help="where the official lists are kept (default: settings lists_dir)")
@click.option("--url", "urls", multiple=True, metavar="FILE=URL",
              help="download FILE from URL instead of the configured URLs (repeatable)")
@click.option("--min-ratio", type=click.FloatRange(0.0, 1.0, min_open=True), default=None,
              help="refuse files smaller than this share of the current ones")
def update(lists_dir: Path | None, urls: tuple[str, ...], min_ratio: float | None) -> None:
    """Download the official lists, verify them, and swap them in; on failure nothing changes."""
    from streams.errors import ListUpdateError
    from streams.listupdate import update_lists

    settings = Settings()  # type: ignore[call-arg]
    chosen: dict[str, str] = {}
    for item in urls:
        name, sep, url = item.partition("=")
        if not sep or not name or not url:
            raise click.BadParameter(f"expected FILE=URL, got {item!r}", param_hint="--url")
        chosen[name] = url
    target = lists_dir or settings.lists_dir
    try:
        report = update_lists(
            target, chosen or settings.lists_urls,
            min_ratio=min_ratio or settings.lists_update_min_ratio,
            timeout=settings.lists_update_timeout_seconds,
        )
    except ListUpdateError as exc:
        click.echo(f"error: update refused, the current lists stay: {exc}", err=True)
        raise SystemExit(1) from exc
    for name, (before, after) in report.sizes.items():
        was = f"{before} bytes" if before is not None else "new"
        click.echo(f"{name}: {after} bytes (was {was})")
    for list_id, version in report.versions.items():
        click.echo(f"{list_id}: {report.entries[list_id]} entries, version {version}")
    click.echo(f"updated {report.lists_dir} -> {report.version_dir}")


commands: list[click.Command] = [lists_group]

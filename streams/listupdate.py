"""`streams lists update`: download the official lists, verify them, swap them in atomically.

The list directory (`lists_dir`) is a symlink to one complete, verified version directory kept
beside it in `.<name>.versions/`. An update downloads every file into a new version directory,
checks that each file is not implausibly smaller than the current one and that the whole set
parses, then replaces the symlink in one `rename`. On any failure the current files stay and
the new directory is removed. Standard library only (urllib).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from streams import __version__
from streams.errors import ListLoadError, ListUpdateError
from streams.screening.listset import load_lists
from streams.screening.sources import loader_for
from streams.screening.sources.ofac_sdn import COMPANION_FILES

__all__ = ["UpdateReport", "download", "update_lists", "versions_dir_for"]

KEEP_VERSIONS = 2  # the current version and the one before it (a reader may still hold it)
MAX_FILE_BYTES = 512 * 1024 * 1024


@dataclass
class UpdateReport:
    """What an update changed: bytes per file (before, after) and the new list versions."""

    lists_dir: Path
    version_dir: Path
    sizes: dict[str, tuple[int | None, int]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)


def versions_dir_for(lists_dir: Path) -> Path:
    """Where the version directories behind `lists_dir` live."""
    return lists_dir.parent / f".{lists_dir.name}.versions"


def download(url: str, target: Path, *, timeout: float, max_bytes: int = MAX_FILE_BYTES) -> int:
    """Download one URL (http or https) to a file; raise ListUpdateError on any failure."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise ListUpdateError(url, "only http and https URLs are allowed")
    headers = {"User-Agent": f"streams/{__version__}"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
    size = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            with target.open("wb") as out:
                while chunk := response.read(1 << 16):
                    size += len(chunk)
                    if size > max_bytes:
                        raise ListUpdateError(url, f"larger than {max_bytes} bytes")
                    out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise ListUpdateError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise ListUpdateError(url, f"download failed: {reason}") from exc
    return size


def _current_dir(lists_dir: Path) -> Path | None:
    return lists_dir.resolve() if lists_dir.is_dir() and any(lists_dir.iterdir()) else None


def update_lists(
    lists_dir: Path,
    urls: Mapping[str, str],
    *,
    min_ratio: float = 0.5,
    timeout: float = 120.0,
) -> UpdateReport:
    """Download `urls` (file name -> URL) into a new version of `lists_dir`, verify, and swap."""
    if not urls:
        raise ListUpdateError(str(lists_dir), "no list URLs configured")
    for name in urls:
        if Path(name).name != name or name.startswith("."):
            raise ListUpdateError(name, "a list file name must be a plain file name")
    lists_dir = lists_dir.absolute()
    versions = versions_dir_for(lists_dir)
    versions.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    staging = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=versions))
    current = _current_dir(lists_dir)
    report = UpdateReport(lists_dir=lists_dir, version_dir=staging)
    try:
        for name, url in urls.items():
            size = download(url, staging / name, timeout=timeout)
            old = current / name if current else None
            old_size = old.stat().st_size if old and old.is_file() else None
            if old_size and size < min_ratio * old_size:
                raise ListUpdateError(
                    url, f"{name} is {size} bytes, under {min_ratio:.0%} of the current "
                         f"{old_size} bytes (truncated download?)"
                )
            report.sizes[name] = (old_size, size)
        if current is not None:  # keep files the update does not download (custom lists)
            for kept in current.iterdir():
                if kept.is_file() and not (staging / kept.name).exists():
                    shutil.copy2(kept, staging / kept.name)
        _verify(staging, current, min_ratio, report)
        _swap(lists_dir, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(versions, keep={staging.resolve(), *([current] if current else [])})
    return report


def _verify(staging: Path, current: Path | None, min_ratio: float, report: UpdateReport) -> None:
    """Every file must be a list the loaders know; the set must load completely and hold no
    implausibly fewer entries per list than the current one."""
    for name in report.sizes:
        if name not in COMPANION_FILES and loader_for(staging / name) is None:
            raise ListUpdateError(
                str(staging / name), "downloaded file is not a list format streams knows", 1
            )
    try:
        fresh = load_lists([staging])
    except ListLoadError as exc:
        raise ListUpdateError(
            exc.path, f"downloaded list does not load: {exc.reason}", exc.line
        ) from exc
    report.versions = fresh.versions()
    report.entries = {k: len(s.entities) for k, s in fresh.snapshots.items()}
    if current is None:
        return
    try:
        before = load_lists([current])
    except ListLoadError:
        return  # the current set is broken: anything that loads is better
    for list_id, snapshot in before.snapshots.items():
        count = report.entries.get(list_id, 0)
        if count < min_ratio * len(snapshot.entities):
            raise ListUpdateError(
                str(staging), f"{list_id} has {count} entries, under {min_ratio:.0%} of the "
                              f"current {len(snapshot.entities)}"
            )


def _swap(lists_dir: Path, staging: Path) -> None:
    """Point `lists_dir` at `staging` in one rename (a real directory is moved aside first)."""
    os.chmod(staging, 0o755)  # noqa: S103 - list files are public data
    if lists_dir.exists() and not lists_dir.is_symlink():
        # First update over a plain directory: move it into the versions directory once.
        lists_dir.rename(versions_dir_for(lists_dir) / f"previous-{staging.name}")
        # (a reader between this rename and the next finds no directory and keeps its lists)
    link = lists_dir.parent / f".{lists_dir.name}.link-{staging.name}"
    link.symlink_to(staging, target_is_directory=True)
    os.replace(link, lists_dir)


def _prune(versions: Path, keep: set[Path]) -> None:
    """Remove old version directories, keeping the newest KEEP_VERSIONS and those in use."""
    candidates = sorted(
        (p for p in versions.iterdir() if p.is_dir()), key=lambda p: (p.stat().st_mtime, p.name)
    )
    for old in candidates[:-KEEP_VERSIONS]:
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)

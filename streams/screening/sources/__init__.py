"""List loaders, one module per format, and the detection of which loader reads which file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streams.errors import ListLoadError
from streams.screening.entities import ListSnapshot
from streams.screening.sources.bis_dpl import is_dpl, load_dpl
from streams.screening.sources.custom import load_custom_yaml
from streams.screening.sources.ofac_sdn import COMPANION_FILES, load_sdn_csv
from streams.screening.sources.un_consolidated import is_un_xml, load_un_xml

__all__ = ["list_files", "loader_for", "load_list_file"]

Loader = Callable[[Path], ListSnapshot]
_YAML_SUFFIXES = (".yaml", ".yml")


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4096)
    except OSError as exc:
        raise ListLoadError(str(path), f"cannot read: {exc.strerror or exc}") from exc


def loader_for(path: Path) -> Loader | None:
    """The loader for one file, None for files that are not a list (or only part of one)."""
    name = path.name.lower()
    if name.startswith(".") or name in COMPANION_FILES:
        return None
    if name == "sdn.csv":
        return load_sdn_csv
    if name.endswith(_YAML_SUFFIXES):
        return load_custom_yaml
    if name.endswith(".xml") and is_un_xml(_head(path)):
        return load_un_xml
    if name.endswith(".txt") and is_dpl(_head(path)):
        return load_dpl
    return None


def list_files(path: Path) -> list[Path]:
    """The list files a path names: the file itself, or the list files in a directory."""
    if path.is_dir():
        return [p for p in sorted(path.iterdir()) if p.is_file() and loader_for(p) is not None]
    if not path.exists():
        raise ListLoadError(str(path), "no such file or directory")
    if path.name.lower() in COMPANION_FILES:
        raise ListLoadError(str(path), "part of the OFAC SDN set: give sdn.csv or its directory")
    if loader_for(path) is None:
        raise ListLoadError(
            str(path), "unknown list format (expected sdn.csv, UN XML, dpl.txt or a .yaml list)"
        )
    return [path]


def load_list_file(path: Path) -> ListSnapshot:
    """Load one list file with the loader its name and content call for."""
    loader = loader_for(path)
    if loader is None:
        raise ListLoadError(str(path), "unknown list format")
    return loader(path)

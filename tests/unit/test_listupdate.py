"""`streams lists update` against a local HTTP server: good files swap in, bad ones do nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from file_server import FileServer

from streams.errors import ListUpdateError
from streams.listupdate import update_lists, versions_dir_for
from streams.screening.listset import load_lists

SDN_SET = ("sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv")


@pytest.fixture
def server(file_server: FileServer) -> FileServer:
    return file_server


@pytest.fixture
def served(server: FileServer, shared_lists_dir: Path) -> dict[str, str]:
    """The shared OFAC and UN files served under /good/, name -> URL."""
    urls = {}
    for name in (*SDN_SET, "un_consolidated.xml"):
        server.routes[f"/good/{name}"] = (shared_lists_dir / name).read_bytes()
        urls[name] = server.url(f"/good/{name}")
    return urls


def snapshot_of(lists_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(lists_dir.iterdir())}


def test_update_swaps_in_a_verified_set(tmp_path: Path, served: dict[str, str]) -> None:
    lists_dir = tmp_path / "lists"
    report = update_lists(lists_dir, served, timeout=30)
    assert lists_dir.is_symlink() and lists_dir.resolve() == report.version_dir.resolve()
    assert report.entries == {"ofac_sdn": 8976, "un_sc": 1003}
    assert report.versions["un_sc"] == "2026-02-27T00:00:09.554Z"
    assert len(load_lists([lists_dir])) == 8976 + 1003
    # A second identical update is accepted and replaces the link again.
    second = update_lists(lists_dir, served, timeout=30)
    assert lists_dir.resolve() == second.version_dir.resolve() != report.version_dir.resolve()


def test_truncated_file_is_refused_and_current_stays(
    tmp_path: Path, server: FileServer, served: dict[str, str]
) -> None:
    lists_dir = tmp_path / "lists"
    update_lists(lists_dir, served, timeout=30)
    before, target = snapshot_of(lists_dir), lists_dir.resolve()
    good = server.routes["/good/sdn.csv"]
    assert good is not None
    server.routes["/cut/sdn.csv"] = good[: len(good) // 3]
    urls = {**served, "sdn.csv": server.url("/cut/sdn.csv")}
    with pytest.raises(ListUpdateError, match="under 50% of the current"):
        update_lists(lists_dir, urls, timeout=30)
    # Cut by only a little: the size check passes, the parse check refuses it.
    server.routes["/cut/sdn.csv"] = good[: len(good) - 5000]
    with pytest.raises(ListUpdateError, match="does not load") as caught:
        update_lists(lists_dir, urls, timeout=30)
    assert caught.value.line is not None
    assert lists_dir.resolve() == target and snapshot_of(lists_dir) == before
    assert len(list(versions_dir_for(lists_dir).iterdir())) == 1  # no staging left behind


def test_garbage_file_is_refused(
    tmp_path: Path, server: FileServer, served: dict[str, str]
) -> None:
    lists_dir = tmp_path / "lists"
    update_lists(lists_dir, served, timeout=30)
    before = snapshot_of(lists_dir)
    server.routes["/junk/un.xml"] = os.urandom(3_000_000)
    urls = {**served, "un_consolidated.xml": server.url("/junk/un.xml")}
    with pytest.raises(ListUpdateError, match="not a list format"):
        update_lists(lists_dir, urls, timeout=30)
    # Garbage after a plausible start: recognised as the UN list, refused by the parser.
    head = (served_bytes := server.routes["/good/un_consolidated.xml"] or b"")[:5000]
    server.routes["/junk/un.xml"] = head + os.urandom(len(served_bytes))
    with pytest.raises(ListUpdateError, match="does not load"):
        update_lists(lists_dir, urls, timeout=30)
    assert snapshot_of(lists_dir) == before


def test_first_update_with_garbage_creates_nothing(tmp_path: Path, server: FileServer) -> None:
    server.routes["/junk/sdn.csv"] = b"\x00\xff" * 1000
    lists_dir = tmp_path / "lists"
    with pytest.raises(ListUpdateError, match="does not load"):
        update_lists(lists_dir, {"sdn.csv": server.url("/junk/sdn.csv")}, timeout=30)
    assert not lists_dir.exists()


def test_http_error_and_bad_scheme(tmp_path: Path, server: FileServer) -> None:
    with pytest.raises(ListUpdateError, match="HTTP 404"):
        update_lists(tmp_path / "l", {"sdn.csv": server.url("/missing")}, timeout=30)
    with pytest.raises(ListUpdateError, match="only http and https"):
        update_lists(tmp_path / "l", {"sdn.csv": "file:///etc/passwd"}, timeout=30)
    with pytest.raises(ListUpdateError, match="plain file name"):
        update_lists(tmp_path / "l", {"../x.csv": server.url("/x")}, timeout=30)


def test_files_not_downloaded_are_kept(
    tmp_path: Path, server: FileServer, served: dict[str, str]
) -> None:
    lists_dir = tmp_path / "lists"
    lists_dir.mkdir()  # a plain directory made by hand, with a custom list in it
    (lists_dir / "mine.yaml").write_text(
        "list_id: mine\nname: m\nentries:\n  - {id: a, name: ALPHA, source: s}\n"
    )
    urls = {"un_consolidated.xml": served["un_consolidated.xml"]}
    report = update_lists(lists_dir, urls, timeout=30)
    assert lists_dir.is_symlink()
    assert set(report.entries) == {"un_sc", "mine"}
    assert (lists_dir / "mine.yaml").is_file()

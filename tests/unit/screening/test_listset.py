"""ListSet: all-or-nothing loading, versions, lookups, and the holder of the last good set."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from streams.errors import ListLoadError
from streams.screening.listset import ListSet, ListSetHolder, load_lists
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

LINKED = REPO_RULES_DIR / "lists" / "dprk-linked-banks.yaml"
CUSTOM = """\
list_id: {list_id}
name: test list
entries:
  - id: a
    name: ALPHA BANK
    bics: [{bic}]
    identifiers: [{{kind: imo, value: "IMO 9137960"}}, {{kind: passport, value: "ab-12 3"}}]
    source: a test
"""


def custom(
    tmp_path: Path, list_id: str = "mine", bic: str = "ALPHCNBJ", name: str = "a.yaml"
) -> Path:
    path = tmp_path / name
    path.write_text(CUSTOM.format(list_id=list_id, bic=bic), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def real(shared_lists_dir: Path) -> ListSet:
    return load_lists([shared_lists_dir, LINKED])


def test_real_directory_loads_every_list(real: ListSet) -> None:
    assert set(real.snapshots) == {"ofac_sdn", "un_sc", "bis_dpl", "dprk_linked_banks"}
    versions = real.versions()
    assert versions["un_sc"] == "2026-02-27T00:00:09.554Z"
    assert versions["ofac_sdn"].startswith("sha256:")
    assert len(list(real.entities())) == sum(len(s.entities) for s in real.snapshots.values())
    assert real.get("ofac_sdn", "15603").name.startswith("FOREIGN TRADE BANK")
    assert real.get("un_sc", "KPe.001").name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert real.get("ofac_sdn", "nope") is None


def test_bic_lookup_by_8_and_11_characters(real: ListSet) -> None:
    for query in ("FTBDKPPY", "ftbdkppyxxx", "FTBD KP PY 123"):
        assert [e.entry_id for e in real.by_identifier("bic", query)] == ["15603"]
    assert real.by_identifier("bic", "NOTABIC") == ()
    assert real.by_identifier("bic", "DEUTDEFF") == ()


def test_imo_lookup(real: ListSet) -> None:
    found = real.by_identifier("imo", "IMO 7937317")
    assert [e.name for e in found] == ["CHONG CHON GANG"]


def test_listed_11_char_bic_found_by_its_head(tmp_path: Path) -> None:
    lists = load_lists([custom(tmp_path, bic="ALPHCNBJ123")])
    assert [e.entry_id for e in lists.by_identifier("bic", "ALPHCNBJ")] == ["a"]
    assert [e.entry_id for e in lists.by_identifier("bic", "ALPHCNBJ123")] == ["a"]
    assert [e.entry_id for e in lists.by_identifier("imo", "9137960")] == ["a"]
    assert [e.entry_id for e in lists.by_identifier("passport", "AB123")] == ["a"]


def test_sample_lists_load_anywhere() -> None:
    lists = load_lists([SAMPLE_LISTS_DIR])
    assert {"ofac_sdn", "un_sc"} <= set(lists.snapshots)
    assert lists.get("ofac_sdn", "20564").name.startswith("DANDONG HONGXIANG")
    assert lists.by_identifier("bic", "FTBDKPPY")
    assert lists.nk_banks.reasons_for_bic("FTBDKPPY")


def test_duplicate_list_id_fails(tmp_path: Path) -> None:
    first = custom(tmp_path)
    second = custom(tmp_path, name="b.yaml")
    with pytest.raises(ListLoadError, match="already loaded"):
        load_lists([first, second])


def test_unknown_paths_fail(tmp_path: Path) -> None:
    with pytest.raises(ListLoadError, match="no such file"):
        load_lists([tmp_path / "missing"])
    (tmp_path / "notes.md").write_text("hello")
    with pytest.raises(ListLoadError, match="unknown list format"):
        load_lists([tmp_path / "notes.md"])
    with pytest.raises(ListLoadError, match="no list files"):
        load_lists([tmp_path])


def test_one_bad_file_fails_the_whole_load(tmp_path: Path) -> None:
    custom(tmp_path)
    (tmp_path / "z.yaml").write_text("list_id: other\nname: x\nentries: []\n")
    with pytest.raises(ListLoadError, match="z.yaml"):
        load_lists([tmp_path])


def test_holder_keeps_the_last_good_set(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    shutil.copy(custom(tmp_path), folder / "a.yaml")
    holder = ListSetHolder()
    assert holder.reload([folder]) is None
    good = holder.current
    (folder / "a.yaml").write_text("list_id: mine\nentries: [")
    error = holder.reload([folder])
    assert isinstance(error, ListLoadError) and "a.yaml" in str(error)
    assert holder.current is good and holder.last_error is error
    shutil.copy(custom(tmp_path, bic="BETACNBJ"), folder / "a.yaml")
    assert holder.reload([folder]) is None
    assert holder.current is not good and holder.last_error is None


def test_empty_holder_raises() -> None:
    with pytest.raises(ListLoadError):
        ListSetHolder().current

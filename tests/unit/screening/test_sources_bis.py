"""BIS Denied Persons List: one entity per distinct name, with all its addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.errors import ListLoadError
from streams.screening.entities import EntityType
from streams.screening.sources.bis_dpl import HEADER, load_dpl


def tsv(*rows: tuple[str, ...]) -> str:
    return "\n".join("\t".join(f'"{c}"' for c in row) for row in rows) + "\n"


ROW = ("ACME TRADING LTD", "1 Main St", "Dubai", "", "AE", "", "01/02/2020", "01/02/2030",
       "Y", "2020-01-05", "F.R. NOTICE ADDED", "85 F.R. 1")


def test_real_file(shared_lists_dir: Path) -> None:
    snapshot = load_dpl(shared_lists_dir / "dpl.txt")
    assert sum(len(e.addresses) for e in snapshot.entities) == 581
    # 460 distinct names in the file; " I. ASH" and "I. ASH" differ only by a leading space.
    raw = (shared_lists_dir / "dpl.txt").read_text(encoding="ascii").splitlines()[1:]
    names = {" ".join(line.split("\t")[0].strip('"').split()).upper() for line in raw}
    assert len(names) == 459 and len(snapshot.entities) == len(names)
    assert snapshot.version.startswith("sha256:")
    assert not any("KP" in e.countries for e in snapshot.entities)


def test_rows_of_one_name_merge(tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    second = (ROW[0], "2 Side St", "Sharjah", *ROW[3:])
    person = ("JOHN DOE", "", "Austin", "TX", "US", "", *ROW[6:])
    path.write_text(tsv(HEADER, ROW, second, person), encoding="ascii")
    company, john = load_dpl(path).entities
    assert company.type is EntityType.ORGANIZATION and len(company.addresses) == 2
    assert company.countries == ("AE",) and company.programs == ("DPL",)
    assert john.type is EntityType.PERSON


def test_bad_header_and_short_row(tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    path.write_text(tsv(HEADER[:-1], ROW[:-1]), encoding="ascii")
    with pytest.raises(ListLoadError, match="header"):
        load_dpl(path)
    path.write_text(tsv(HEADER, ROW, ROW[:5]), encoding="ascii")
    with pytest.raises(ListLoadError, match="expected 12 columns") as caught:
        load_dpl(path)
    assert caught.value.line == 3


def test_truncated_row_fails_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    text = tsv(HEADER, ROW, ROW)
    path.write_text(text[: text.rindex('"F.R.')], encoding="ascii")
    with pytest.raises(ListLoadError) as caught:
        load_dpl(path)
    assert caught.value.line == 3 and "columns" in caught.value.reason

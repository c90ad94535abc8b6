"""OFAC SDN CSV set: counts against the real files, remarks facts, and bad input."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from streams.errors import ListLoadError
from streams.screening.entities import EntityType
from streams.screening.sources.ofac_sdn import load_sdn_csv
from streams.screening.sources.remarks import parse_remarks

SDN_ROW = (
    '{num},"{name}",{type},"{program}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{remarks}"\r\n'
)


def write_sdn(folder: Path, rows: list[dict[str, str]], eof: bool = True) -> Path:
    """A small sdn.csv in OFAC's format."""
    text = "".join(SDN_ROW.format(**row) for row in rows) + ("\x1a" if eof else "")
    path = folder / "sdn.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


BANK = {"num": "101", "name": "EXAMPLE TRADE BANK", "type": "-0- ", "program": "DPRK3",
        "remarks": "SWIFT/BIC EXTBKPPY; a.k.a. 'ETB'; Linked To: SOME CORP."}
PERSON = {"num": "102", "name": "DOE, John", "type": '"individual"', "program": "SDGT] [IRAN",
          "remarks": "DOB 10 Sep 1962; nationality Korea, North; Passport 123 (Iran)"}


@pytest.fixture(scope="module")
def sdn(shared_lists_dir: Path):
    return load_sdn_csv(shared_lists_dir / "sdn.csv")


def test_every_sdn_entry_alias_and_address_is_loaded(sdn) -> None:
    assert len(sdn.entities) == 8976
    assert len({e.entry_id for e in sdn.entities}) == 8976
    strong = [a for e in sdn.entities for a in e.aliases if a.quality == "strong"]
    assert len(strong) == 11910
    assert Counter(a.kind for a in strong) == {"aka": 11523, "fka": 369, "nka": 18}
    assert sum(len(e.addresses) for e in sdn.entities) == 13837
    assert all(e.addresses for e in sdn.entities)


def test_types_match_the_file(sdn) -> None:
    assert Counter(e.type for e in sdn.entities) == {
        EntityType.PERSON: 4620, EntityType.ORGANIZATION: 3673,
        EntityType.VESSEL: 406, EntityType.AIRCRAFT: 277,
    }


def test_bics_in_remarks(sdn) -> None:
    pairs = [(e.entry_id, b) for e in sdn.entities for b in e.identifier_values("bic")]
    codes = {b for _, b in pairs}
    assert len(pairs) == 82 and len(codes) == 82
    assert len({entry for entry, _ in pairs}) == 77
    kp = sorted(b for b in codes if b[4:6] == "KP")
    assert len(kp) == 13 and "FTBDKPPY" in kp and "DCBKKPPY" in kp
    banks = [e for e in sdn.entities if e.identifier_values("bic")]
    assert all(e.is_financial_institution for e in banks)


def test_dprk_program_tags(sdn) -> None:
    counts = Counter(p for e in sdn.entities for p in e.programs)
    assert (counts["DPRK"], counts["DPRK2"], counts["DPRK3"], counts["DPRK4"]) == (50, 87, 122, 160)
    assert counts["DPRK-NKSPEA"] == 2


def test_remarks_overflow_is_joined(sdn) -> None:
    lazarus_linked = next(e for e in sdn.entities if e.entry_id == "28263")
    assert lazarus_linked.remarks and lazarus_linked.remarks.endswith("Linked To: LAZARUS GROUP.")


def test_foreign_trade_bank(sdn) -> None:
    ftb = next(e for e in sdn.entities if e.entry_id == "15603")
    assert ftb.identifier_values("bic") == ("FTBDKPPY",)
    assert ftb.programs == ("NPWMD", "DPRK3") and "KP" in ftb.countries


def test_parse_remarks_facts() -> None:
    facts = parse_remarks(
        "DOB 10 Sep 1962; alt. DOB circa 1960; nationality Korea, North; citizen Burma; "
        "Passport AB 123 (Iran) issued 01 Jan 2010; a.k.a. 'THE BANK'; f.k.a. 'OLD NAME'; "
        "Vessel Registration Identification IMO 9137960; D-U-N-S Number 55-123-4567; "
        "Digital Currency Address - XBT 1abc; SWIFT/BIC ftbdkppy; National ID No. 99 (Mali).",
        EntityType.PERSON,
    )
    assert facts.birth_dates == ["1962-09-10", "1960"]
    assert facts.countries == ["KP", "MM"]
    kinds = {(i.kind, i.value, i.country) for i in facts.identifiers}
    assert ("passport", "AB 123", "IR") in kinds
    assert ("imo", "9137960", None) in kinds
    assert ("bic", "FTBDKPPY", "KP") in kinds
    assert ("national_id", "99", "ML") in kinds
    assert ("duns", "55-123-4567", None) in kinds
    assert ("digital_currency", "1abc", None) in kinds
    assert [(a.name, a.kind, a.quality) for a in facts.aliases] == [
        ("THE BANK", "aka", "weak"), ("OLD NAME", "fka", "weak")]


def test_small_set_with_companions(tmp_path: Path) -> None:
    path = write_sdn(tmp_path, [BANK, PERSON])
    (tmp_path / "alt.csv").write_bytes(b'101,1,"aka","ETB TWO",-0- \r\n\x1a')
    (tmp_path / "add.csv").write_bytes(b'102,5,-0- ,"Pyongyang","Korea, North",-0- \r\n\x1a')
    (tmp_path / "sdn_comments.csv").write_bytes(b'102,"; Gender Male"\r\n')
    snapshot = load_sdn_csv(path)
    bank, person = snapshot.entities
    assert bank.is_financial_institution and bank.identifier_values("bic") == ("EXTBKPPY",)
    assert [(a.name, a.quality) for a in bank.aliases] == [("ETB TWO", "strong"), ("ETB", "weak")]
    assert person.type is EntityType.PERSON and person.programs == ("SDGT", "IRAN")
    assert person.addresses[0].country == "KP" and person.remarks.endswith("Gender Male")
    assert snapshot.version.startswith("sha256:")


def test_version_changes_with_content(tmp_path: Path) -> None:
    first = load_sdn_csv(write_sdn(tmp_path, [BANK])).version
    assert load_sdn_csv(write_sdn(tmp_path, [BANK])).version == first
    assert load_sdn_csv(write_sdn(tmp_path, [BANK, PERSON])).version != first


def test_a_complete_file_without_the_end_marker_loads(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text(SDN_ROW.format(**BANK), encoding="utf-8", newline="")
    assert [e.entry_id for e in load_sdn_csv(path).entities] == ["101"]


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (SDN_ROW.format(**BANK)[:-2], 1, "end-of-file marker 0x1A and the last line"),
        (SDN_ROW.format(**BANK) + '102,"CUT OFF\x1a', 2, "malformed CSV"),
        (SDN_ROW.format(**BANK) + '103,"X",-0- \r\n\x1a', 2, "expected 12 columns"),
        (SDN_ROW.format(**BANK) * 2 + "\x1a", 2, "duplicate ent_num 101"),
        ("abc" + SDN_ROW.format(**BANK)[3:] + "\x1a", 1, "ent_num is not a number"),
    ],
)
def test_bad_sdn_file_names_line_and_reason(
    tmp_path: Path, content: str, line: int, reason: str
) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text(content, encoding="utf-8", newline="")
    with pytest.raises(ListLoadError) as caught:
        load_sdn_csv(path)
    assert caught.value.line == line and reason in caught.value.reason
    assert caught.value.path == str(path)


def test_mis_encoded_file_names_the_line(tmp_path: Path) -> None:
    path = write_sdn(tmp_path, [BANK, PERSON])
    data = path.read_bytes().replace(b"DOE", b"D\xffE")
    path.write_bytes(data)
    with pytest.raises(ListLoadError, match="not utf-8") as caught:
        load_sdn_csv(path)
    assert caught.value.line == 2


def test_alias_for_unknown_entry_fails(tmp_path: Path) -> None:
    path = write_sdn(tmp_path, [BANK])
    (tmp_path / "alt.csv").write_bytes(b'101,1,"aka","OK",-0- \r\n999,2,"aka","X",-0- \r\n\x1a')
    with pytest.raises(ListLoadError, match="ent_num 999 is not in sdn.csv") as caught:
        load_sdn_csv(path)
    assert caught.value.line == 2 and caught.value.path.endswith("alt.csv")


def test_vessel_imo_numbers(sdn) -> None:
    vessels = [e for e in sdn.entities if e.type is EntityType.VESSEL]
    pattern = re.compile(r"(?:Vessel Registration Identification|Identification Number)"
                         r"(?: IMO)? (\d{7})\b")
    for vessel in vessels:
        assert set(vessel.identifier_values("imo")) == set(pattern.findall(vessel.remarks or ""))
    assert sum(1 for v in vessels if v.identifier_values("imo")) >= 399

"""UN consolidated list XML: counts against the real file, fields, and bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from streams.errors import ListLoadError
from streams.screening.entities import EntityType
from streams.screening.sources.un_consolidated import load_un_xml

SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2030-01-02T03:04:05Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>EXAMPLE</SECOND_NAME>
      <UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.900</REFERENCE_NUMBER>
      <NAME_ORIGINAL_SCRIPT>김 예시</NAME_ORIGINAL_SCRIPT>
      <NATIONALITY><VALUE>Democratic People's Republic of Korea</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Kim Ex</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>
        <FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1962</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>745120026</NUMBER>
        <ISSUING_COUNTRY>Democratic People's Republic of Korea</ISSUING_COUNTRY>
      </INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <FIRST_NAME>EXAMPLE CREDIT BANK</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>
      <REFERENCE_NUMBER>KPe.900</REFERENCE_NUMBER>
      <ENTITY_ALIAS><QUALITY>f.k.a.</QUALITY><ALIAS_NAME>"OLD BANK"</ALIAS_NAME></ENTITY_ALIAS>
      <ENTITY_ADDRESS><CITY>Pyongyang</CITY>
        <COUNTRY>Democratic People's Republic of Korea</COUNTRY></ENTITY_ADDRESS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
"""


@pytest.fixture(scope="module")
def un(shared_lists_dir: Path):
    return load_un_xml(shared_lists_dir / "un_consolidated.xml")


def test_every_individual_and_entity(un) -> None:
    counts = Counter(e.type for e in un.entities)
    assert counts == {EntityType.PERSON: 730, EntityType.ORGANIZATION: 273}
    aliases = Counter(
        e.type for e in un.entities for a in e.aliases if a.kind != "original_script"
    )
    # Every alias element with a name; the rest are empty placeholders (<ALIAS_NAME/>).
    root = SafeET.parse(str(Path(un.source))).getroot()
    for tag, entity_type, elements in (("INDIVIDUAL_ALIAS", EntityType.PERSON, 2308),
                                      ("ENTITY_ALIAS", EntityType.ORGANIZATION, 735)):
        found = list(root.iter(tag))
        named = [e for e in found if (e.findtext("ALIAS_NAME") or "").strip()]
        assert len(found) == elements
        assert aliases[entity_type] == len(named) > elements - 200
    assert sum(1 for e in un.entities if any(a.kind == "original_script" for a in e.aliases)) == 378
    assert un.version == "2026-02-27T00:00:09.554Z"


def test_dprk_regime(un) -> None:
    dprk = [e for e in un.entities if "DPRK" in e.programs]
    assert len(dprk) == 155
    assert sum(e.entry_id.startswith("KPi.") for e in dprk) == 80
    komid = next(e for e in un.entities if e.entry_id == "KPe.001")
    assert "KOMID" in komid.all_names() and komid.countries == ("KP",)


def test_fields_of_a_small_file(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(SMALL, encoding="utf-8")
    snapshot = load_un_xml(path)
    person, bank = snapshot.entities
    assert snapshot.version == "2030-01-02T03:04:05Z"
    assert person.name == "KIM EXAMPLE" and person.countries == ("KP",)
    assert ("Kim Ex", "aka", "Low") in [(a.name, a.kind, a.quality) for a in person.aliases]
    assert ("김 예시", "original_script") in [(a.name, a.kind) for a in person.aliases]
    assert person.birth_dates == ("1960/1962",)
    assert [(i.kind, i.value, i.country) for i in person.identifiers] == [
        ("passport", "745120026", "KP")]
    assert bank.is_financial_institution and bank.aliases[0].name == "OLD BANK"
    assert bank.aliases[0].kind == "fka" and bank.addresses[0].country == "KP"


@pytest.mark.parametrize(
    ("content", "reason", "at"),
    [
        (SMALL[: len(SMALL) // 2], "malformed XML", "(end)"),
        (SMALL.replace("<REFERENCE_NUMBER>KPe.900</REFERENCE_NUMBER>", ""),
         "<ENTITY> #1 (no REFERENCE_NUMBER): missing REFERENCE_NUMBER", "<ENTITY>"),
        (SMALL.replace("KPe.900", "KPi.900"), "duplicate REFERENCE_NUMBER KPi.900", "<ENTITY>"),
        (SMALL.replace("CONSOLIDATED_LIST", "OTHER_LIST"), "root element is <OTHER_LIST>", None),
        (SMALL.replace("<FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>EXAMPLE</SECOND_NAME>", ""),
         "<INDIVIDUAL> #1 (KPi.900): missing FIRST_NAME", "<INDIVIDUAL>"),
    ],
)
def test_bad_xml_names_element_and_line(
    tmp_path: Path, content: str, reason: str, at: str | None
) -> None:
    """The error's line is where the bad element starts (or where the file ends)."""
    path = tmp_path / "un.xml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ListLoadError) as caught:
        load_un_xml(path)
    assert reason in caught.value.reason
    if at is None:
        assert caught.value.line is None
    else:
        end = content.index(at) if at != "(end)" else len(content)
        assert caught.value.line == content[:end].count("\n") + 1


def test_entity_expansion_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CONSOLIDATED_LIST>&a;'
        "</CONSOLIDATED_LIST>", encoding="utf-8",
    )
    with pytest.raises(ListLoadError, match="unsafe XML"):
        load_un_xml(path)


def test_mis_encoded_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_bytes(SMALL.encode("utf-8").replace("김 예시".encode(), b"\xc7\xe8 \xff"))
    with pytest.raises(ListLoadError, match="malformed XML") as caught:
        load_un_xml(path)
    assert caught.value.line == SMALL[: SMALL.index("김")].count("\n") + 1

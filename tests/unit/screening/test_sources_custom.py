"""Custom YAML lists: the shipped files, fields, and errors with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.errors import ListLoadError
from streams.screening.entities import EntityType
from streams.screening.sources.custom import load_custom_yaml
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

GOOD = """\
list_id: my_banks
name: My banks
tags: [dprk-linked]
entries:
  - id: one
    name: EXAMPLE BANK
    aliases: [EXAMPLE BANKING CO, {name: EXB, quality: weak}]
    bics: [exbkcnbjxxx]
    countries: [China]
    source: a public finding
  - id: two
    name: DOE, Jane
    type: person
    identifiers: [{kind: passport, value: X1, country: KP}]
    source: a court filing
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_list(tmp_path: Path) -> None:
    snapshot = load_custom_yaml(write(tmp_path, GOOD))
    bank, person = snapshot.entities
    assert snapshot.list_id == "my_banks" and snapshot.tags == ("dprk-linked",)
    assert bank.key == "my_banks:one" and bank.identifier_values("bic") == ("EXBKCNBJ",)
    assert bank.is_financial_institution and bank.countries == ("CN",)
    assert [(a.name, a.quality) for a in bank.aliases] == [
        ("EXAMPLE BANKING CO", None), ("EXB", "weak")]
    assert person.type is EntityType.PERSON and not person.is_financial_institution
    assert person.identifiers[0].country == "KP"
    assert "a court filing" in (person.remarks or "")


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        (GOOD.replace("exbkcnbjxxx", "NOTABIC!"), 8, "entries.0.bics"),
        (GOOD.replace("    source: a court filing\n", ""), 11, "entries.1.source"),
        (GOOD.replace("countries: [China]", "countries: [Atlantis]"), 9, "entries.0.countries"),
        (GOOD.replace("type: person", "type: robot"), 13, "entries.1.type"),
        (GOOD.replace("id: two", "id: one"), 11, "entries.1.id"),
        (GOOD.replace("    name: EXAMPLE BANK\n", "    name: EXAMPLE BANK\n    colour: red\n"),
         7, "entries.0.colour"),
    ],
)
def test_errors_name_line_and_field(tmp_path: Path, text: str, line: int, field: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ListLoadError) as caught:
        load_custom_yaml(path)
    assert caught.value.path == str(path)
    assert f"[{field}" in caught.value.reason
    assert caught.value.line == line


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    with pytest.raises(ListLoadError, match="not valid YAML") as caught:
        load_custom_yaml(write(tmp_path, GOOD.replace("  - id: two", "  - id: [two")))
    assert caught.value.line is not None


def test_no_python_tags(tmp_path: Path) -> None:
    with pytest.raises(ListLoadError, match="not valid YAML"):
        load_custom_yaml(write(tmp_path, "!!python/object/apply:os.system ['true']\n"))


def test_shipped_lists_load() -> None:
    linked = load_custom_yaml(REPO_RULES_DIR / "lists" / "dprk-linked-banks.yaml")
    assert linked.tags == ("dprk-linked",) and all(e.remarks for e in linked.entities)
    assert any(e.name == "BANK OF DANDONG" for e in linked.entities)
    sample = load_custom_yaml(SAMPLE_LISTS_DIR / "ofac_sdn_sample.yaml")
    names = {e.name for e in sample.entities}
    assert {"DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD", "KOREA KWANGSON BANKING CORP",
            "BANK MELLI IRAN"} <= names


def test_sample_ids_agree_with_the_real_lists(shared_lists_dir: Path) -> None:
    """Each sample entry's id names the same party, programs and BICs on the real list."""
    from streams.screening.listset import load_lists

    real = load_lists([shared_lists_dir / "sdn.csv", shared_lists_dir / "un_consolidated.xml"])
    for sample_file in ("ofac_sdn_sample.yaml", "un_sc_sample.yaml"):
        sample = load_custom_yaml(SAMPLE_LISTS_DIR / sample_file)
        for entry in sample.entities:
            listed = real.get(sample.list_id, entry.entry_id)
            assert listed is not None, entry.key
            names = {n.upper() for n in listed.all_names()}
            assert {n.upper() for n in entry.all_names()} <= names, entry.key
            assert set(entry.programs) == set(listed.programs), entry.key
            assert entry.type is listed.type, entry.key
            real_bics = set(listed.identifier_values("bic"))
            if real_bics:
                assert set(entry.identifier_values("bic")) <= real_bics, entry.key

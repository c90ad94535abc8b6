"""The North Korea-linked banks view over the real lists, the sample and the custom list."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.screening.entities import EntityType
from streams.screening.listset import ListSet, load_lists
from streams.settings import REPO_RULES_DIR, SAMPLE_LISTS_DIR

LINKED = REPO_RULES_DIR / "lists" / "dprk-linked-banks.yaml"
KP_BICS = {"BOELKPPY", "BRBKKPP1", "DCBKKPPY", "FTBDKPPY", "ILSIKPPY", "KCBKKPP1", "KDBKKPPY",
           "KGCBKPPY", "KMBKKPPY", "KORBKPPY", "KUDBKPPY", "KYCBKPPY", "NEABKPPY"}


@pytest.fixture(scope="module")
def real(shared_lists_dir: Path) -> ListSet:
    files = [shared_lists_dir / "sdn.csv", shared_lists_dir / "un_consolidated.xml", LINKED]
    return load_lists(files)


def test_every_kp_bic_entry_is_in_the_view(real: ListSet) -> None:
    view = real.nk_banks
    kp_entries = [e for e in real.entities() if set(e.identifier_values("bic")) & KP_BICS]
    assert len(kp_entries) == 13
    assert all(view.contains(e) for e in kp_entries)
    # Daedong Credit Bank is tagged only NPWMD, but its BIC and address are North Korean.
    assert view.contains(real.get("ofac_sdn", "16085"))


def test_view_holds_only_financial_institutions_or_custom_entries(real: ListSet) -> None:
    view = real.nk_banks
    entries = view.entries()
    assert len(entries) >= 30
    assert all(e.is_financial_institution for e in entries)
    assert all(e.type is EntityType.ORGANIZATION for e in entries)
    assert not view.contains(real.get("ofac_sdn", "20564"))  # Dandong Hongxiang: not a bank
    assert not view.contains(real.get("ofac_sdn", "25578"))  # Bank Melli Iran: not DPRK
    assert view.contains(real.get("un_sc", "KPe.047"))  # FTB on the UN list, no BIC there
    assert view.contains(real.get("dprk_linked_banks", "bank-of-dandong"))


def test_reasons_for_bic(real: ListSet) -> None:
    view = real.nk_banks
    reasons = view.reasons_for_bic("FTBDKPPYXXX")
    assert reasons[0] == "BIC country KP"
    assert any(r.startswith("listed DPRK bank ofac_sdn:15603 FOREIGN TRADE BANK") for r in reasons)
    assert view.reasons_for_bic("ZZZZKPPY") == ["BIC country KP"]
    assert view.reasons_for_bic("AGSZRU31") == [
        "listed DPRK bank ofac_sdn:24606 COMMERCIAL BANK AGROSOYUZ"]
    assert view.reasons_for_bic("DEUTDEFF") == []
    assert view.reasons_for_bic("not a bic") == []


def test_custom_list_bic_reason(tmp_path: Path) -> None:
    path = tmp_path / "linked.yaml"
    path.write_text(
        "list_id: dprk_linked_banks\nname: x\ntags: [dprk-linked]\nentries:\n"
        "  - {id: b1, name: SOME BANK, bics: [SOMECNBJ], source: finding}\n"
    )
    view = load_lists([path]).nk_banks
    assert view.reasons_for_bic("SOMECNBJ001") == ["custom list dprk_linked_banks:b1 SOME BANK"]


def test_untagged_custom_list_is_not_in_the_view(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(
        "list_id: plain\nname: x\nentries:\n"
        "  - {id: b1, name: SOME BANK, bics: [SOMECNBJ], source: s}\n"
    )
    assert load_lists([path]).nk_banks.entries() == []


def test_sample_view_covers_the_2016_case() -> None:
    lists = load_lists([SAMPLE_LISTS_DIR, LINKED])
    view = lists.nk_banks
    assert view.contains(lists.get("ofac_sdn", "11581"))  # Korea Kwangson Banking Corp
    assert view.contains(lists.get("ofac_sdn", "15603"))
    assert {"BIC country KP"} < set(view.reasons_for_bic("FTBDKPPY"))

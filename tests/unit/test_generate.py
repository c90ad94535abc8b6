"""The payment generator: contract-valid, deterministic, and flagged at the requested share."""

from __future__ import annotations

import json

import pytest

from streams.generate import FALLBACK_KP_BANKS, PaymentGenerator, listed_targets
from streams.models import Payment
from streams.screening.entities import Entity, EntityType, Identifier


def _entity(entry_id: str, name: str, *, bic: str | None = None,
            kind: EntityType = EntityType.ORGANIZATION) -> Entity:
    identifiers = (Identifier("bic", bic),) if bic else ()
    return Entity(list_id="test", entry_id=entry_id, type=kind, name=name,
                  identifiers=identifiers, countries=("KP",),
                  is_financial_institution=bic is not None)


ENTITIES = [
    _entity("1", "KOREA KWANGSON BANKING CORP"),
    _entity("2", "FOREIGN TRADE BANK OF THE DPRK", bic="FTBDKPPY"),
    _entity("3", "JO, Chol Song", kind=EntityType.PERSON),
    _entity("4", "ORIENTAL TREASURE", kind=EntityType.VESSEL),
]


def test_every_payment_validates_against_the_contract() -> None:
    for generated in PaymentGenerator(ENTITIES, seed=1, flagged_share=0.3).take(500):
        Payment.model_validate_json(json.dumps(generated.payment))


def test_same_seed_gives_same_payments_and_different_seed_differs() -> None:
    first = [g.payment for g in PaymentGenerator(ENTITIES, seed=7).take(50)]
    again = [g.payment for g in PaymentGenerator(ENTITIES, seed=7).take(50)]
    other = [g.payment for g in PaymentGenerator(ENTITIES, seed=8).take(50)]
    assert first == again
    assert first != other


def test_payment_ids_are_unique() -> None:
    ids = [g.payment["payment_id"] for g in PaymentGenerator(ENTITIES, seed=2).take(2000)]
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("share", [0.0, 0.05, 0.5, 1.0])
def test_flagged_share_is_close_to_the_requested_share(share: float) -> None:
    generated = PaymentGenerator(ENTITIES, seed=3, flagged_share=share).take(4000)
    flagged = sum(1 for g in generated if g.flag_reason)
    assert abs(flagged / len(generated) - share) < 0.03


def test_flagged_payments_carry_the_listed_name_or_kp_bank() -> None:
    names = {e.name for e in ENTITIES}
    for generated in PaymentGenerator(ENTITIES, seed=4, flagged_share=1.0).take(300):
        text = json.dumps(generated.payment)
        reason = generated.flag_reason or ""
        if reason.startswith("kp_bank:"):
            assert reason.split(":")[1] in text
        else:
            assert any(name in text for name in names), reason


def test_clear_payments_never_carry_a_listed_name_or_kp_country() -> None:
    names = {e.name for e in ENTITIES}
    for generated in PaymentGenerator(ENTITIES, seed=5, flagged_share=0.0).take(1000):
        text = json.dumps(generated.payment)
        assert not any(name in text for name in names)
        assert '"KP"' not in text


def test_banks_come_from_several_countries_including_south_korea() -> None:
    countries = {g.payment["debtor_agent"]["country"]
                 for g in PaymentGenerator(seed=6).take(500)}
    assert "KR" in countries
    assert len(countries) >= 6


def test_kp_banks_come_from_the_lists_and_fall_back_when_none_listed() -> None:
    _, kp_banks = listed_targets(ENTITIES)
    assert [b.bic for b in kp_banks] == ["FTBDKPPY"]
    _, fallback = listed_targets([ENTITIES[0]])
    assert fallback == list(FALLBACK_KP_BANKS)


def test_vessels_are_not_used_as_parties() -> None:
    parties, _ = listed_targets(ENTITIES)
    assert "ORIENTAL TREASURE" not in {p.name for p in parties}


def test_share_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="flagged_share"):
        PaymentGenerator(flagged_share=1.5)

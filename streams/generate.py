"""Realistic synthetic payments in the message contract, for demos, load tests and benchmarks.

Pure: no Kafka, no I/O. Clear payments move between unlisted companies and people through
banks of several countries (South Korea among them); a configurable share touches a listed
party taken from the loaded lists or a North Korea-linked bank, so the flagged share is real.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from streams.screening.entities import Entity, EntityType

__all__ = ["Bank", "GeneratedPayment", "PaymentGenerator", "listed_targets"]


@dataclass(frozen=True, slots=True)
class Bank:
    """A bank as it appears in a payment's agent fields."""

    bic: str
    name: str
    country: str


# Unlisted banks of the correspondent network, by country (real institutions, none listed).
BANKS: tuple[Bank, ...] = (
    Bank("KOEXKRSE", "KEB Hana Bank", "KR"),
    Bank("HVBKKRSE", "Woori Bank", "KR"),
    Bank("SHBKKRSE", "Shinhan Bank", "KR"),
    Bank("CZNBKRSE", "Kookmin Bank", "KR"),
    Bank("NACFKRSE", "NongHyup Bank", "KR"),
    Bank("BKCHCNBJ", "Bank of China", "CN"),
    Bank("ICBKCNBJ", "Industrial and Commercial Bank of China", "CN"),
    Bank("PCBCCNBJ", "China Construction Bank", "CN"),
    Bank("CHASUS33", "JPMorgan Chase Bank", "US"),
    Bank("CITIUS33", "Citibank N.A.", "US"),
    Bank("IRVTUS3N", "The Bank of New York Mellon", "US"),
    Bank("DEUTDEFF", "Deutsche Bank AG", "DE"),
    Bank("COBADEFF", "Commerzbank AG", "DE"),
    Bank("MHCBJPJT", "Mizuho Bank Ltd", "JP"),
    Bank("BOTKJPJT", "MUFG Bank Ltd", "JP"),
    Bank("DBSSSGSG", "DBS Bank Ltd", "SG"),
    Bank("HSBCHKHH", "The Hongkong and Shanghai Banking Corporation", "HK"),
    Bank("BARCGB22", "Barclays Bank PLC", "GB"),
    Bank("BNPAFRPP", "BNP Paribas", "FR"),
    Bank("UBSWCHZH", "UBS Switzerland AG", "CH"),
    Bank("ABNANL2A", "ABN AMRO Bank N.V.", "NL"),
    Bank("NOSCCATT", "The Bank of Nova Scotia", "CA"),
)
CORRESPONDENTS: tuple[Bank, ...] = tuple(b for b in BANKS if b.country in {"US", "DE", "GB", "HK"})

# Used only when the loaded lists name no bank with a KP BIC (for example a custom list alone).
FALLBACK_KP_BANKS: tuple[Bank, ...] = (
    Bank("FTBDKPPY", "Foreign Trade Bank of the Democratic People's Republic of Korea", "KP"),
    Bank("KDBKKPPY", "Korea Daesong Bank", "KP"),
)

TOWNS: dict[str, tuple[str, ...]] = {
    "KR": ("Seoul", "Busan", "Incheon", "Daegu"), "CN": ("Shanghai", "Shenzhen", "Dalian"),
    "US": ("New York", "Chicago", "Houston"), "DE": ("Hamburg", "Frankfurt", "Munich"),
    "JP": ("Tokyo", "Osaka", "Yokohama"), "SG": ("Singapore",), "HK": ("Hong Kong",),
    "GB": ("London", "Manchester"), "FR": ("Paris", "Lyon"), "CH": ("Zurich", "Geneva"),
    "NL": ("Rotterdam", "Amsterdam"), "CA": ("Toronto", "Vancouver"),
}
COMPANY_STEMS = (
    "Hanbit", "Saebyeol", "Blue Harbor", "Northgate", "Pacific Crest", "Silverline", "Greenfield",
    "Meridian", "Sunrise", "Everwood", "Lakeshore", "Bright Path", "Summit", "Oakridge",
    "Riverstone", "Goldleaf", "Clearwater", "Redwood", "Starling", "Harborview", "Maple Leaf",
)
COMPANY_TRADES = (
    "Logistics", "Textiles", "Electronics", "Foods", "Shipping", "Semiconductor", "Trading",
    "Machinery", "Pharma", "Software", "Furniture", "Auto Parts", "Chemicals", "Apparel",
)
COMPANY_FORMS: dict[str, tuple[str, ...]] = {
    "KR": ("Co., Ltd.", "Corporation"), "CN": ("Co., Ltd.", "Trading Co., Ltd."),
    "US": ("Inc.", "LLC", "Corp."), "DE": ("GmbH", "AG"), "JP": ("K.K.", "Co., Ltd."),
    "SG": ("Pte. Ltd.",), "HK": ("Limited",), "GB": ("Ltd", "PLC"), "FR": ("SAS", "SA"),
    "CH": ("AG", "SA"), "NL": ("B.V.",), "CA": ("Inc.", "Ltd."),
}
GIVEN_NAMES = ("Anna", "Lukas", "Emma", "Noah", "Sophie", "Oliver", "Mia", "Ethan", "Clara",
               "Hugo", "Yuki", "Haruto", "Ji-woo", "Seo-yeon", "Wei", "Mei", "Daniel", "Laura")
FAMILY_NAMES = ("Schmidt", "Miller", "Tanaka", "Sato", "Martin", "Dubois", "Jansen", "Brown",
                "Wilson", "Fischer", "Rossi", "Moreau", "Lambert", "Novak", "Keller", "Hughes")
CURRENCIES = ("USD", "USD", "USD", "EUR", "EUR", "KRW", "CNY", "JPY", "GBP", "HKD", "SGD")
PURPOSES = ("GDDS", "SUPP", "TRAD", "SERV", "INTC", "SALA")
REMITTANCES = ("Invoice {n}", "PO {n} settlement", "Container freight {n}", "Consulting fee {n}",
               "Order {n} balance", "Spare parts {n}")


@dataclass(frozen=True, slots=True)
class GeneratedPayment:
    """A payment as a JSON-ready dict, and why it should be flagged (None when it should not)."""

    payment: dict[str, Any]
    flag_reason: str | None = None


@dataclass(frozen=True, slots=True)
class _Target:
    """A listed name a flagged payment can carry, and the list entry it comes from."""

    name: str
    key: str
    is_bank: bool
    bic: str | None
    country: str | None


def listed_targets(entities: Sequence[Entity]) -> tuple[list[_Target], list[Bank]]:
    """The listed people and organisations to use as parties, and the KP-BIC banks to route via."""
    parties: list[_Target] = []
    kp_banks: list[Bank] = []
    for entity in entities:
        if entity.type not in (EntityType.PERSON, EntityType.ORGANIZATION):
            continue
        if not entity.name or len(entity.name) > 140:
            continue
        bics = [b for b in entity.identifier_values("bic") if len(b) in (8, 11)]
        kp_bic = next((b for b in bics if b[4:6] == "KP"), None)
        if kp_bic:
            kp_banks.append(Bank(kp_bic, entity.name[:140], "KP"))
        country = next((c for c in entity.countries if _is_country(c)), None)
        parties.append(_Target(entity.name, entity.key, entity.is_financial_institution,
                               bics[0] if bics else None, country))
    return parties, kp_banks or list(FALLBACK_KP_BANKS)


class PaymentGenerator:
    """Generates payments deterministically from a seed; `flagged_share` of them touch a list."""

    def __init__(
        self,
        entities: Sequence[Entity] = (),
        *,
        seed: int = 0,
        flagged_share: float = 0.05,
        start: datetime | None = None,
        id_prefix: str = "E2E",
    ) -> None:
        if not 0.0 <= flagged_share <= 1.0:
            raise ValueError(f"flagged_share must be between 0 and 1, got {flagged_share}")
        self.flagged_share = flagged_share
        self.id_prefix = id_prefix
        self._rng = random.Random(seed)
        self._parties, self._kp_banks = listed_targets(entities)
        self._clock = start or datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
        self._count = 0

    def __iter__(self) -> Iterator[GeneratedPayment]:
        while True:
            yield self.next_payment()

    def take(self, n: int) -> list[GeneratedPayment]:
        """The next `n` payments."""
        return [self.next_payment() for _ in range(n)]

    def next_payment(self) -> GeneratedPayment:
        """One more payment; flagged with probability `flagged_share`."""
        rng = self._rng
        self._count += 1
        self._clock += timedelta(milliseconds=rng.randint(1, 900))
        debtor_bank, creditor_bank = rng.sample(BANKS, 2)
        payment: dict[str, Any] = {
            "payment_id": f"{self.id_prefix}-{self._clock:%Y%m%d}-{self._count:09d}",
            "uetr": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "created_at": self._clock.isoformat().replace("+00:00", "Z"),
            "amount": f"{rng.lognormvariate(9.5, 1.6) + 1:.2f}",
            "currency": rng.choice(CURRENCIES),
            "debtor": self._party(debtor_bank.country),
            "debtor_agent": _agent(debtor_bank),
            "creditor_agent": _agent(creditor_bank),
            "creditor": self._party(creditor_bank.country),
        }
        if debtor_bank.country != creditor_bank.country and rng.random() < 0.6:
            payment["intermediary_agents"] = [_agent(rng.choice(CORRESPONDENTS))]
        if rng.random() < 0.5:
            payment["purpose"] = rng.choice(PURPOSES)
        if rng.random() < 0.7:
            payment["remittance_info"] = rng.choice(REMITTANCES).format(n=rng.randint(1000, 99999))
        reason = None
        if rng.random() < self.flagged_share:
            reason = self._touch_list(payment)
        return GeneratedPayment(payment, reason)

    def _party(self, country: str) -> dict[str, Any]:
        rng = self._rng
        if rng.random() < 0.75:
            name = (f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_TRADES)} "
                    f"{rng.choice(COMPANY_FORMS[country])}")
        else:
            name = f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}"
        party: dict[str, Any] = {"name": name, "country": country}
        if rng.random() < 0.8:
            party["account"] = f"{country}{rng.randint(10, 99)}{rng.getrandbits(60):018d}"
        if rng.random() < 0.6:
            party["address"] = {"town": rng.choice(TOWNS[country]), "country": country}
        return party

    def _touch_list(self, payment: dict[str, Any]) -> str:
        """Put a listed party or a North Korea-linked bank into the payment; say which."""
        rng = self._rng
        if self._parties and rng.random() < 0.6:
            target = rng.choice(self._parties)
            role = rng.choice(("debtor", "creditor"))
            if target.is_bank and target.bic:
                agent_role = "debtor_agent" if role == "debtor" else "creditor_agent"
                payment[agent_role] = {"bic": target.bic, "name": target.name[:140]}
                return f"listed_bank:{target.key}:{agent_role}"
            party: dict[str, Any] = {"name": target.name}
            if target.country:
                party["country"] = target.country
            payment[role] = party
            return f"listed_party:{target.key}:{role}"
        bank = rng.choice(self._kp_banks)
        where = rng.choice(("creditor_agent", "intermediary_agents"))
        if where == "creditor_agent":
            payment["creditor_agent"] = _agent(bank)
        else:
            chain = list(payment.get("intermediary_agents", []))
            chain.append(_agent(bank))
            payment["intermediary_agents"] = chain
        return f"kp_bank:{bank.bic}:{where}"


def _is_country(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()


def _agent(bank: Bank) -> dict[str, Any]:
    return {"bic": bank.bic, "name": bank.name, "country": bank.country}

"""The demo's payments: the 2016 Dandong Hongxiang case and a dozen ordinary payments.

In 2016 US prosecutors charged Dandong Hongxiang Industrial Development, a Chinese trading
company, and its executives with moving US dollars for Korea Kwangson Banking Corp, a
designated North Korean bank, through Chinese and US correspondent accounts. The flagged
payments below follow that pattern; the clean ones include South Korean banks whose names
resemble listed North Korean ones, which a screener must not confuse.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CLEAN", "FLAGGED", "SCENARIO"]

_WHEN = "2016-09-{day:02d}T{hour:02d}:15:00Z"


def _payment(pid: str, day: int, amount: str, currency: str, debtor: dict[str, Any],
             debtor_agent: dict[str, Any], creditor_agent: dict[str, Any],
             creditor: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "payment_id": pid, "created_at": _WHEN.format(day=day, hour=8 + day % 9),
        "amount": amount, "currency": currency, "debtor": debtor, "debtor_agent": debtor_agent,
        "creditor_agent": creditor_agent, "creditor": creditor, **extra,
    }


BANK_OF_CHINA = {"bic": "BKCHCNBJ", "name": "Bank of China", "country": "CN"}
JPMORGAN = {"bic": "CHASUS33", "name": "JPMorgan Chase Bank", "country": "US"}
CITIBANK = {"bic": "CITIUS33", "name": "Citibank N.A.", "country": "US"}
ICBC = {"bic": "ICBKCNBJ", "name": "Industrial and Commercial Bank of China", "country": "CN"}

#: payment_id -> the payment; every one of these must raise an alert.
FLAGGED: dict[str, dict[str, Any]] = {p["payment_id"]: p for p in [
    _payment(
        "DEMO-2016-001", 2, "1250000.00", "USD",
        {"name": "Dandong Hongxiang Industrial Development Co., Ltd.",
         "address": {"town": "Dandong", "country": "CN"}, "country": "CN"},
        BANK_OF_CHINA, {"name": "Korea Kwangson Banking Corp"},
        {"name": "Korea Kwangson Banking Corp"},
        intermediary_agents=[JPMORGAN], remittance_info="Settlement of trade invoices",
    ),
    _payment(
        "DEMO-2016-002", 5, "486000.00", "USD",
        {"name": "Dandong Hongxiang Industrial Development Co Ltd", "country": "CN"},
        ICBC, {"name": "Korea Kwangson Banking Corporation"},
        {"name": "Sinuiju Commercial Trading Co"},
        intermediary_agents=[CITIBANK, BANK_OF_CHINA],
    ),
    _payment(
        "DEMO-2016-003", 9, "730000.00", "EUR",
        {"name": "Pyongyang Commercial Enterprise"},
        {"bic": "FTBDKPPY", "name": "Foreign Trade Bank"},
        {"bic": "BKCHCNBJ", "name": "Bank of China"},
        {"name": "Liaoning Hongxing Import and Export Co", "country": "CN"},
    ),
    _payment(
        "DEMO-2016-004", 12, "98000.00", "USD",
        {"name": "Ma Xiaohong", "country": "CN"}, BANK_OF_CHINA, JPMORGAN,
        {"name": "Velmur Management Pte Ltd", "country": "SG"},
    ),
]}

_KR = {"country": "KR"}

#: payment_id -> the payment; none of these may raise an alert.
CLEAN: dict[str, dict[str, Any]] = {p["payment_id"]: p for p in [
    _payment("DEMO-2016-101", 1, "15400.00", "USD", {"name": "Samsung Electronics Co Ltd", **_KR},
             {"bic": "SHBKKRSE", "name": "Shinhan Bank", **_KR}, JPMORGAN,
             {"name": "Applied Materials Inc", "country": "US"}),
    _payment("DEMO-2016-102", 2, "82000.00", "USD", {"name": "Hyundai Motor Company", **_KR},
             {"bic": "KOEXKRSE", "name": "KEB Hana Bank", **_KR}, CITIBANK,
             {"name": "Ford Motor Company", "country": "US"}),
    _payment("DEMO-2016-103", 3, "5200.00", "EUR", {"name": "LG Chem Ltd", **_KR},
             {"bic": "HVBKKRSE", "name": "Woori Bank", **_KR},
             {"bic": "DEUTDEFF", "name": "Deutsche Bank", "country": "DE"},
             {"name": "BASF SE", "country": "DE"}),
    _payment("DEMO-2016-104", 4, "640000.00", "USD", {"name": "POSCO", **_KR},
             {"bic": "KODBKRSE", "name": "Korea Development Bank", **_KR}, JPMORGAN,
             {"name": "Rio Tinto Iron Ore", "country": "AU"}),
    _payment("DEMO-2016-105", 5, "12000.00", "JPY", {"name": "Kookmin Card Co", **_KR},
             {"bic": "CZNBKRSE", "name": "Kookmin Bank", **_KR},
             {"bic": "BOTKJPJT", "name": "MUFG Bank", "country": "JP"},
             {"name": "Sony Group Corporation", "country": "JP"}),
    _payment("DEMO-2016-106", 6, "23850.50", "USD",
             {"name": "Shenyang Machine Tool Co", "country": "CN"}, ICBC, CITIBANK,
             {"name": "Caterpillar Inc", "country": "US"}),
    _payment("DEMO-2016-107", 7, "9100.00", "CNY", {"name": "Li Wei", "country": "CN"},
             BANK_OF_CHINA, ICBC, {"name": "Zhang Min", "country": "CN"}),
    _payment("DEMO-2016-108", 8, "310000.00", "USD", {"name": "Busan Port Logistics Co", **_KR},
             {"bic": "IBKOKRSE", "name": "Industrial Bank of Korea", **_KR}, JPMORGAN,
             {"name": "Maersk Line", "country": "DK"}),
    _payment("DEMO-2016-109", 9, "4500.00", "GBP", {"name": "Jane Smith", "country": "GB"},
             {"bic": "BARCGB22", "name": "Barclays Bank", "country": "GB"},
             {"bic": "NWBKGB2L", "name": "NatWest", "country": "GB"},
             {"name": "John Brown", "country": "GB"}),
    _payment("DEMO-2016-110", 10, "76000.00", "USD", {"name": "Kia Corporation", **_KR},
             {"bic": "NACFKRSE", "name": "NongHyup Bank", **_KR}, CITIBANK,
             {"name": "Magna International", "country": "CA"}),
    _payment("DEMO-2016-111", 11, "18000.00", "EUR",
             {"name": "Qingdao Haier Trading Co", "country": "CN"}, BANK_OF_CHINA,
             {"bic": "BNPAFRPP", "name": "BNP Paribas", "country": "FR"},
             {"name": "Schneider Electric", "country": "FR"}),
    _payment("DEMO-2016-112", 12, "250000.00", "USD", {"name": "SK Hynix Inc", **_KR},
             {"bic": "BOKRKRSE", "name": "Bank of Korea", **_KR}, JPMORGAN,
             {"name": "Micron Technology", "country": "US"}),
]}

#: Every payment of the demo in publication order, flagged and clean interleaved.
SCENARIO: list[dict[str, Any]] = [
    p for pair in zip(list(CLEAN.values()), list(FLAGGED.values()) + [None] * 12, strict=False)
    for p in pair if p is not None
]

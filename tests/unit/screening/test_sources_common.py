"""Helpers every loader shares: country names, BIC and IMO normalisation, the financial test."""

from __future__ import annotations

import pytest

from streams.screening.countries import country_code
from streams.screening.entities import bic_country, normalize_bic, normalize_imo
from streams.screening.sources.common import content_version, looks_financial


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Korea, North", "KP"), ("Korea, South", "KR"), ("Burma", "MM"),
        ("Democratic People's Republic of Korea", "KP"), ("Iran (Islamic Republic of)", "IR"),
        ("Türkiye", "TR"), ("Cote d Ivoire", "CI"), ("Congo, Democratic Republic of the", "CD"),
        ("China, Hong Kong Special Administrative Region", "HK"), ("Bahamas, The", "BS"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"), ("kp", "KP"),
        ("Region: Crimea", "UA"), ("Viet Nam", "VN"), ("Russia.", "RU"),
        ("undetermined", None), ("-0-", None), ("Korea", None), ("Atlantis", None), (None, None),
    ],
)
def test_country_code(name: str | None, code: str | None) -> None:
    assert country_code(name) == code


@pytest.mark.parametrize(
    ("value", "bic"),
    [
        ("FTBDKPPY", "FTBDKPPY"), ("ftbdkppyxxx", "FTBDKPPY"), ("FTBD KP PY 123", "FTBDKPPY123"),
        ("BRBKKPP1", "BRBKKPP1"), ("FTBDKPP", None), ("1TBDKPPY", None), ("FTBDKPPY12", None),
    ],
)
def test_normalize_bic(value: str, bic: str | None) -> None:
    assert normalize_bic(value) == bic
    if bic:
        assert bic_country(bic) == "KP"


def test_normalize_imo() -> None:
    assert normalize_imo("IMO 9137960") == "9137960"
    assert normalize_imo("IMO 913796") is None


@pytest.mark.parametrize(
    ("names", "financial"),
    [
        (["KOREA KWANGSON BANKING CORP"], True), (["SBERBANK"], True),
        (["ROSBANK"], True),
        (["BANCO NACIONAL DE CUBA"], True), (["DAEDONG CREDIT BANK"], True),
        (["AL ZAROONI EXCHANGE"], True), (["126 ECONOMIC EXCHANGE COMPANY"], False),
        (["KOREA NATIONAL INSURANCE CORPORATION"], True), (["Other monetary intermediation"], True),
        (["KOREA MINING DEVELOPMENT TRADING CORPORATION"], False), (["BANKRUPT HOLDINGS"], False),
        (["CHOSON TAESONG UNHAENG"], True),
    ],
)
def test_looks_financial(names: list[str], financial: bool) -> None:
    assert looks_financial(names) is financial


def test_content_version_is_stable_and_order_sensitive() -> None:
    assert content_version(b"a", b"b") == content_version(b"a", b"b")
    assert content_version(b"a", b"b") != content_version(b"b", b"a")
    assert content_version(b"ab") != content_version(b"a", b"b")

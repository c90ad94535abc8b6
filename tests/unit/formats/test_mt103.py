"""MT103 into one canonical payment: options of every party and bank field, and bad syntax."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from streams.errors import FormatError
from streams.formats.mt103 import decode_mt103
from streams.models import Agent

MAX = 1_000_000
HEADERS = "{1:F01BKCHCNBJAXXX0000123456}{2:I103BKCHUS33XXXXN}{4:\r\n"
MANDATORY = {
    "20": "REF1",
    "23B": "CRED",
    "32A": "240101EUR100,",
    "50K": "Alice Debtor",
    "59": "Bob Creditor",
    "71A": "SHA",
}


def mt103(fields: dict[str, str] | None = None, *, drop: tuple[str, ...] = (),
          headers: str = HEADERS) -> bytes:
    """An MT103 built from the mandatory fields, with some replaced, added or dropped."""
    merged = {**MANDATORY, **(fields or {})}
    body = "".join(f":{tag}:{value}\r\n" for tag, value in merged.items() if tag not in drop)
    return (headers + body + "-}").encode()


def decode_one(raw: bytes):
    [payment] = decode_mt103(raw, max_bytes=MAX)
    return payment


def test_scenario_2016_maps_every_role(fixture_bytes) -> None:
    payment = decode_one(fixture_bytes("scenario-2016.mt103.txt"))
    assert payment.payment_id == "DHID1609150042"
    assert payment.uetr == "5f3c2a1e-8b4d-4c7a-9e2f-1a6b3c8d7e90"
    # :13C:/SNDTIME/1730+0800 on the 32A value date
    assert payment.created_at == datetime(2016, 9, 15, 9, 30, tzinfo=timezone.utc)
    assert (payment.amount, payment.currency) == (Decimal("1250000.00"), "USD")
    assert payment.debtor.name == "Dandong Hongxiang Industrial Development Co., Ltd."
    assert payment.debtor.address is not None
    assert (payment.debtor.address.town, payment.debtor.address.country) == ("Dandong", "CN")
    assert payment.debtor_agent == Agent(bic="BKCHCNBJ")  # no :52a:: the sender of {1:}
    assert [a.bic for a in payment.intermediary_agents] == ["CHASUS33"]
    assert payment.creditor_agent.name == "Korea Kwangson Banking Corp"
    assert payment.creditor.address is not None and payment.creditor.address.country == "KP"
    assert payment.remittance_info == "Coal shipment Nampo"


def test_output_message_and_unstructured_options(fixture_bytes) -> None:
    payment = decode_one(fixture_bytes("mt103-unstructured.txt"))
    # an output message: {1:} is us (the receiver), the sender is in the MIR of {2:}
    assert payment.instructing_agent == Agent(bic="DEUTDEFF")
    assert payment.instructed_agent == Agent(bic="CHASUS33")
    assert payment.debtor.account == "DE44500105175407324931"
    assert payment.debtor.address is not None
    assert payment.debtor.address.street == "Am Sandtorkai 50, 20457 Hamburg"
    assert payment.debtor_agent.name == "Nordbank Hamburg"
    # /INS/ of :72:, then 53A, 54A (after its party identifier), 56C in routing order
    assert [a.bic or a.name for a in payment.intermediary_agents] == [
        "COBADEFF", "BNPAFRPP", "IRVTUS3N", "FW021000021",
    ]
    assert payment.creditor_agent.name == "Banco Maritimo do Atlantico"
    assert payment.creditor.name == "Oceanica Logistica Lda"
    assert payment.remittance_info == (
        "Charter hire vessel SEA LION March 2024, invoice 77/2024 /ACC/CREDIT BENEFICIARY SAME DAY"
    )
    # only /CLSTIME/ 0915+0100 given: its time on the value date
    assert payment.created_at == datetime(2024, 3, 4, 8, 15, tzinfo=timezone.utc)


def test_bare_text_block_with_bic_options(fixture_bytes) -> None:
    payment = decode_one(fixture_bytes("mt103-bare.txt"))
    assert payment.debtor.name == payment.debtor.id == "UBSWCHZH80A"
    assert payment.debtor_agent == Agent(bic="UBSWCHZH80A")
    assert payment.creditor_agent == Agent(bic="HSBCHKHHHKH")
    assert payment.instructing_agent is None
    assert payment.created_at == datetime(1999, 12, 31, tzinfo=timezone.utc)
    assert payment.amount == Decimal("1000.5")


def test_bare_text_block_needs_the_agents() -> None:
    raw = "\n".join(f":{t}:{v}" for t, v in MANDATORY.items()).encode()
    with pytest.raises(FormatError, match=r"no :52a: and no \{1:\} sender"):
        decode_mt103(raw, max_bytes=MAX)


def test_option_b_of_57_is_a_location_of_the_receiver() -> None:
    payment = decode_one(mt103({"57B": "/123\nNEW YORK"}))
    assert payment.creditor_agent.bic == "BKCHUS33"
    assert payment.creditor_agent.address is not None
    assert payment.creditor_agent.address.town == "NEW YORK"


def test_option_b_of_53_adds_no_bank() -> None:
    assert decode_one(mt103({"53B": "/12345678"})).intermediary_agents == []


def test_structured_party_identifier_and_names() -> None:
    payment = decode_one(mt103({"50F": "CCPT/KP/654320502\n1/JO CHOL SONG\n3/KP/Pyongyang"},
                               drop=("50K",)))
    assert payment.debtor.id == "CCPT/KP/654320502"
    assert payment.debtor.name == "JO CHOL SONG"


def test_time_indication_prefers_send_time() -> None:
    raw = mt103({"13C": "/CLSTIME/0100+0000\r\n:13C:/SNDTIME/2330-0200"})
    moment = decode_one(raw).created_at
    assert moment == datetime(2024, 1, 1, 23, 30, tzinfo=timezone(-timedelta(hours=2)))


def test_two_digit_years_pivot_at_80() -> None:
    assert decode_one(mt103({"32A": "800101EUR1,"})).created_at.year == 1980
    assert decode_one(mt103({"32A": "790101EUR1,"})).created_at.year == 2079


@pytest.mark.parametrize(
    ("fields", "drop", "needle"),
    [
        ({}, ("20",), "mandatory field(s) missing: :20:"),
        ({}, ("50K", "71A"), "missing: :50a:, :71A:"),
        ({}, ("59",), ":59a:"),
        ({"20": "/REF"}, (), ":20: reference must be 16x"),
        ({"20": "A//B"}, (), ":20: reference"),
        ({"20": "ABCDEFGHIJKLMNOPQ"}, (), ":20: has line 1 of 17 characters, over 16"),
        ({"23B": "XXXX"}, (), ":23B: must be one of CRED"),
        ({"32A": "240101EUR100.00"}, (), ":32A: must be 6!n3!a15d"),
        ({"32A": "240231EUR100,"}, (), ":32A: has 240231, not a calendar date"),
        ({"32A": "240101EUR,5"}, (), ":32A: must be 6!n3!a15d"),
        ({"32A": "240101eur100,"}, (), ":32A: must be 6!n3!a15d"),
        ({"13C": "/SNDTIME/2575+0000"}, (), ":13C: has a time or UTC offset out of range"),
        ({"52A": "1234US33"}, (), ":52A: must carry a BIC"),
        ({"56C": "FW021000021"}, (), ":56C: must be /34x"),
        ({"57D": "/ACC\n" + "X" * 36}, (),  ":57D: has a name or address line over 35"),
        ({"59F": "1/NAME\n3/Korea"}, ("59",), ":59F: line 3: 3/ must start with a country"),
        ({"59F": "NAME ONLY"}, ("59",), ":59F: line 2 must be n/33x"),
        ({"50F": "1/NAME"}, ("50K",), ":50F: line 1 must be /34x"),
        ({"70": "\n".join(["L"] * 5)}, (), ":70: has 5 lines, at most 4"),
        ({"71A": "ALL"}, (), ":71A: must be one of BEN, OUR, SHA"),
        ({"99Z": "X"}, (), ":99Z: is not a field of MT103"),
        ({"70": "Payment & Co"}, (), "outside the SWIFT x character set"),
        ({"50A": "BKCHCNBJ"}, (), ":50A: conflicts with :50K:"),
        ({"59": "/ACC"}, (), ":59: has no name line"),
        ({"59": "/" + "9" * 40 + "\nB"}, (), ":59: has line 1 of 41 characters"),
    ],
)
def test_bad_field_is_named(fields: dict[str, str], drop: tuple[str, ...], needle: str) -> None:
    with pytest.raises(FormatError) as caught:
        decode_mt103(mt103(fields, drop=drop), max_bytes=MAX)
    assert needle in caught.value.reason


def test_repeated_single_field_is_refused() -> None:
    with pytest.raises(FormatError, match=":70: appears more than once"):
        decode_mt103(mt103({"70": "A\r\n:70:B"}), max_bytes=MAX)


def test_account_numbers_are_not_echoed_in_errors() -> None:
    with pytest.raises(FormatError) as caught:
        decode_mt103(mt103({"59": "/" + "7" * 40 + "\nB"}), max_bytes=MAX)
    assert "7777" not in caught.value.reason


@pytest.mark.parametrize(
    ("headers", "needle"),
    [
        ("{1:F01BKCH}{2:I103BKCHUS33XXXXN}{4:\r\n", "basic header {1:}"),
        ("{1:F01BKCHCNBJAXXX0000123456}{2:X103}{4:\r\n", "application header {2:}"),
        ("{1:F01BKCHCNBJAXXX0000123456}{2:I202BKCHUS33XXXXN}{4:\r\n", "MT202, expected MT103"),
        ("{1:F01BKCHCNBJAXXX0000123456}{1:F01BKCHCNBJAXXX0000123456}{4:\r\n", "block {1:} twice"),
        ("{1:F01BKCHCNBJAXXX0000123456{4:\r\n", "block {1:} is not closed"),
        ("{1:F01BKCHCNBJAXXX0000123456}X{4:\r\n", "expected a block"),
    ],
)
def test_bad_headers_are_named(headers: str, needle: str) -> None:
    with pytest.raises(FormatError) as caught:
        decode_mt103(mt103(headers=headers), max_bytes=MAX)
    assert needle in caught.value.reason


def test_unterminated_text_block_is_refused() -> None:
    raw = mt103().removesuffix(b"-}")
    with pytest.raises(FormatError, match=r"does not end with a line '-\}'"):
        decode_mt103(raw, max_bytes=MAX)


def test_size_limit_and_encoding() -> None:
    with pytest.raises(FormatError) as caught:
        decode_mt103(mt103({"70": "A" * 30}), max_bytes=100)
    assert caught.value.error_type == "too_large"
    with pytest.raises(FormatError) as caught:
        decode_mt103(b"\xff\xfe:20:X", max_bytes=MAX)
    assert caught.value.error_type == "encoding"


def test_a_full_line_continues_a_name_without_a_space() -> None:
    bank = "Foreign Trade Bank of the Democrati\nc People's Republic of Korea\nPyongyang"
    payment = decode_one(mt103({"57D": bank, "59": "Korea Ryonbong General Corporation,\n"
                                                  " Pyongyang Branch\nCentral District"}))
    assert payment.creditor_agent.name == (
        "Foreign Trade Bank of the Democratic People's Republic of Korea")
    assert payment.creditor_agent.address is not None
    assert payment.creditor_agent.address.street == "Pyongyang"
    assert payment.creditor.name == "Korea Ryonbong General Corporation, Pyongyang Branch"
    assert payment.creditor.address is not None
    assert payment.creditor.address.street == "Central District"


def test_narrative_lines_rejoin_at_full_width() -> None:
    payment = decode_one(mt103({"70": "Coal shipment from Nampo, vessel Ch\non Ma San\nlot 7"}))
    assert payment.remittance_info == "Coal shipment from Nampo, vessel Chon Ma San lot 7"


def test_reference_of_sixteen_characters_is_accepted() -> None:
    assert decode_one(mt103({"20": "ABCDEFGHIJKLMNOP"})).payment_id == "ABCDEFGHIJKLMNOP"

"""pacs.008.001.08 into canonical payments: every party and bank, and errors naming elements."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from streams.errors import FormatError
from streams.formats.pacs008 import decode_pacs008
from streams.models import Agent

MAX = 1_000_000

HEADER = (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>'
          b"<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-01-02T03:04:05</CreDtTm><NbOfTxs>1</NbOfTxs>"
          b"</GrpHdr>")
FOOTER = b"</FIToFICstmrCdtTrf></Document>"
AGENT = b"<FinInstnId><BICFI>DEUTDEFF</BICFI></FinInstnId>"


def transaction(**parts: bytes) -> bytes:
    """One CdtTrfTxInf with defaults that any part can replace (or drop with b'')."""
    fields = {
        "PmtId": b"<PmtId><EndToEndId>E1</EndToEndId></PmtId>",
        "IntrBkSttlmAmt": b'<IntrBkSttlmAmt Ccy="EUR">10.00</IntrBkSttlmAmt>',
        "Dbtr": b"<Dbtr><Nm>Alice Debtor</Nm></Dbtr>",
        "DbtrAgt": b"<DbtrAgt>" + AGENT + b"</DbtrAgt>",
        "CdtrAgt": b"<CdtrAgt>" + AGENT + b"</CdtrAgt>",
        "Cdtr": b"<Cdtr><Nm>Bob Creditor</Nm></Cdtr>",
        "Extra": b"",
    }
    fields.update(parts)
    return b"<CdtTrfTxInf>" + b"".join(fields.values()) + b"</CdtTrfTxInf>"


def message(*transactions: bytes, header: bytes = HEADER) -> bytes:
    return header + b"".join(transactions or (transaction(),)) + FOOTER


def test_scenario_2016_maps_every_role(fixture_bytes) -> None:
    [payment] = decode_pacs008(fixture_bytes("scenario-2016.pacs008.xml"), max_bytes=MAX)
    assert payment.payment_id == "DHID1609150042"
    assert payment.uetr == "5f3c2a1e-8b4d-4c7a-9e2f-1a6b3c8d7e90"
    assert payment.created_at == datetime(2016, 9, 15, 9, 30, tzinfo=timezone.utc)
    assert (payment.amount, payment.currency) == (Decimal("1250000.00"), "USD")
    assert payment.debtor.name == "Dandong Hongxiang Industrial Development Co., Ltd."
    assert payment.debtor.account == "6222600110012345678"
    assert payment.debtor.address is not None and payment.debtor.address.country == "CN"
    assert payment.creditor_agent.name == "Korea Kwangson Banking Corp"
    assert [a.bic for a in payment.intermediary_agents] == ["CHASUS33"]
    assert payment.instructing_agent == Agent(bic="BKCHCNBJ")
    assert payment.instructed_agent == Agent(bic="BKCHUS33")
    assert payment.remittance_info == "Coal shipment Nampo"


def test_multi_transaction_message_gives_one_payment_each(fixture_bytes) -> None:
    payments = decode_pacs008(fixture_bytes("pacs008-multi.xml"), max_bytes=MAX)
    assert [p.payment_id for p in payments] == [
        "E2E-7001-1", "E2E-7001-2", "9d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d",
    ]
    first, second, third = payments
    # structured address: street and building number, post code, town, country
    assert first.debtor.address is not None
    assert first.debtor.address.street == "Industriestrasse 12a"
    assert (first.debtor.address.postcode, first.debtor.address.town) == ("40210", "Duesseldorf")
    assert (first.debtor.country, first.debtor.id) == ("DE", "RHMADEDD")
    assert first.debtor.account == "DE89370400440532013000"
    assert first.ultimate_debtor is not None and first.ultimate_debtor.id == "5299001ABCDEFGHIJK12"
    assert first.ultimate_creditor is not None and first.ultimate_creditor.country == "US"
    assert [a.bic for a in first.intermediary_agents] == ["COBADEFFXXX", "IRVTUS3N"]
    assert first.intermediary_agents[0].country == "DE"
    assert first.purpose == "GDDS"
    assert first.remittance_info == "Invoice 2024-118 milling heads order 5541"
    # group-level instructing and instructed agents apply where the transaction has none
    assert first.instructing_agent == Agent(bic="DEUTDEFF")
    assert first.instructed_agent == Agent(bic="CITIUS33XXX")
    # unstructured address lines; previous instructing agents lead the chain
    assert second.debtor.address is not None
    assert second.debtor.address.street == "Room 1204, Jinqiao Building, Dandong, Liaoning"
    assert second.creditor_agent.address is not None
    assert second.creditor_agent.address.street == "FTB Building, Jungsong-dong, Pyongyang"
    assert [a.bic for a in second.intermediary_agents] == ["BKCHCNBJ", "FTBDKPPY"]
    assert second.purpose == "Trade settlement"
    assert second.remittance_info == "Anthracite lot 7 Pay via FTB correspondent"
    # NOTPROVIDED end-to-end id falls back to the UETR; the transaction's InstgAgt wins
    assert third.payment_id == third.uetr
    assert third.instructing_agent == Agent(bic="BARCGB22")
    assert third.creditor_agent.name == "USABA 021000021"
    assert third.created_at == datetime(2024, 3, 4, 8, 15, 30, 125000, tzinfo=timezone.utc)


def test_creation_time_without_offset_is_utc() -> None:
    [payment] = decode_pacs008(message(), max_bytes=MAX)
    assert payment.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_intermediaries_keep_routing_order() -> None:
    chain = b"".join(
        b"<%s><FinInstnId><BICFI>%s</BICFI></FinInstnId></%s>" % (tag, bic, tag)
        for tag, bic in [(b"IntrmyAgt1", b"AAAAUS33"), (b"IntrmyAgt2", b"BBBBUS33"),
                         (b"IntrmyAgt3", b"CCCCUS33")]
    )
    [payment] = decode_pacs008(message(transaction(Extra=chain)), max_bytes=MAX)
    assert [a.bic for a in payment.intermediary_agents] == ["AAAAUS33", "BBBBUS33", "CCCCUS33"]


@pytest.mark.parametrize(
    ("parts", "needle"),
    [
        ({"Dbtr": b""}, "CdtTrfTxInf[1]/Dbtr is missing"),
        ({"Cdtr": b"<Cdtr><PstlAdr><Ctry>KP</Ctry></PstlAdr></Cdtr>"}, "CdtTrfTxInf[1]/Cdtr/Nm"),
        ({"PmtId": b"<PmtId><TxId>T</TxId></PmtId>"}, "PmtId/EndToEndId is missing"),
        ({"IntrBkSttlmAmt": b'<IntrBkSttlmAmt Ccy="EUR">-5</IntrBkSttlmAmt>'},
         "CdtTrfTxInf[1]/IntrBkSttlmAmt"),
        ({"IntrBkSttlmAmt": b"<IntrBkSttlmAmt>5</IntrBkSttlmAmt>"}, "IntrBkSttlmAmt/@Ccy"),
        ({"DbtrAgt": b"<DbtrAgt><FinInstnId><BICFI>NOT A BIC</BICFI></FinInstnId></DbtrAgt>"},
         "CdtTrfTxInf[1]/DbtrAgt/FinInstnId/BICFI"),
        ({"CdtrAgt": b"<CdtrAgt><BrnchId><Id>1</Id></BrnchId></CdtrAgt>"},
         "CdtrAgt/FinInstnId is missing"),
        ({"Dbtr": b"<Dbtr><Nm>A</Nm><PstlAdr><Ctry>Korea</Ctry></PstlAdr></Dbtr>"},
         "CdtTrfTxInf[1]/Dbtr/PstlAdr/Ctry"),
    ],
)
def test_bad_transaction_names_the_element(parts: dict[str, bytes], needle: str) -> None:
    with pytest.raises(FormatError) as caught:
        decode_pacs008(message(transaction(**parts)), max_bytes=MAX)
    assert needle in caught.value.reason


def test_transaction_count_must_match_header() -> None:
    with pytest.raises(FormatError) as caught:
        decode_pacs008(message(transaction(), transaction()), max_bytes=MAX)
    assert "GrpHdr/NbOfTxs is '1' but the message has 2 CdtTrfTxInf" in caught.value.reason


def test_missing_creation_time_is_named() -> None:
    header = HEADER.replace(b"<CreDtTm>2024-01-02T03:04:05</CreDtTm>", b"")
    with pytest.raises(FormatError, match="GrpHdr/CreDtTm is missing"):
        decode_pacs008(message(header=header), max_bytes=MAX)


def test_other_message_is_refused(fixture_bytes) -> None:
    with pytest.raises(FormatError) as caught:
        decode_pacs008(fixture_bytes("hostile/wrong-namespace.xml"), max_bytes=MAX)
    assert caught.value.error_type == "unsupported_message"
    assert "pacs.009.001.08" in caught.value.reason


def test_message_without_transactions_is_refused() -> None:
    with pytest.raises(FormatError, match="has no CdtTrfTxInf"):
        decode_pacs008(HEADER + FOOTER, max_bytes=MAX)


def test_hostile_xml_is_refused_before_mapping(fixture_bytes) -> None:
    with pytest.raises(FormatError) as caught:
        decode_pacs008(fixture_bytes("hostile/billion-laughs.xml"), max_bytes=MAX)
    assert caught.value.error_type == "xml_dtd"


def test_party_without_name_falls_back_to_its_identifier() -> None:
    debtor = b"<Dbtr><Id><OrgId><AnyBIC>RHMADEDD</AnyBIC></OrgId></Id></Dbtr>"
    ultimate = b"<UltmtCdtr><Id><PrvtId><Othr><Id>P123</Id></Othr></PrvtId></Id></UltmtCdtr>"
    nameless = b"<UltmtDbtr><CtryOfRes>DE</CtryOfRes></UltmtDbtr>"
    [payment] = decode_pacs008(message(transaction(Dbtr=debtor, Extra=ultimate + nameless)),
                               max_bytes=MAX)
    assert (payment.debtor.name, payment.debtor.id) == ("RHMADEDD", "RHMADEDD")
    assert payment.ultimate_creditor is not None
    assert payment.ultimate_creditor.name == "P123"
    assert payment.ultimate_debtor is None  # nothing to screen it by


def test_xml_special_characters_and_whitespace_are_read_as_text() -> None:
    debtor = b"<Dbtr><Nm>\n   Smith &amp; Sons\n   &lt;Ltd&gt;  </Nm></Dbtr>"
    [payment] = decode_pacs008(message(transaction(Dbtr=debtor)), max_bytes=MAX)
    assert payment.debtor.name == "Smith & Sons <Ltd>"

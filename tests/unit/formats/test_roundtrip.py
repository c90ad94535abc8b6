"""Properties: any canonical payment written as pacs.008 or MT103 reads back as itself."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.formats import decode_mt103, decode_pacs008
from streams.models import Address, Agent, Party, Payment

MAX = 1_000_000
DEBTOR_ID = "TXID/CN/91210600MA0XYZ"
SWIFT_X = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-?().,'+"


def words(alphabet: st.SearchStrategy[str], max_words: int = 4, max_len: int = 12
          ) -> st.SearchStrategy[str]:
    """Text of single-space-separated words, as canonical (whitespace-folded) text is."""
    word = st.text(alphabet, min_size=1, max_size=max_len)
    return st.lists(word, min_size=1, max_size=max_words).map(" ".join)


def payments(text: st.SearchStrategy[str], *, max_chain: int, name_max: int,
             town_max: int | None = None) -> st.SearchStrategy[Payment]:
    """Canonical payments whose text fields are drawn from `text` (towns up to `town_max`
    characters, by default as long as names)."""
    name = text.filter(lambda s: len(s) <= name_max)
    town = text.filter(lambda s: len(s) <= (name_max if town_max is None else town_max))
    country = st.sampled_from(["CN", "KP", "US", "DE", "PT", None])
    bic = st.from_regex(r"\A[A-Z]{4}(CN|KP|US|DE)[A-Z0-9]{2}([A-Z0-9]{3})?\Z")
    address = st.builds(Address, street=st.none() | text, town=st.none() | town,
                        country=country).filter(lambda a: any(a.model_dump().values()))
    bank = st.one_of(st.builds(Agent, bic=bic),
                     st.builds(lambda n, a: Agent(name=n, address=a), name, st.none() | address))
    account = st.none() | st.from_regex(r"\A[A-Z0-9]{4,30}\Z")
    party = st.builds(Party, name=name, account=account, address=st.none() | address)
    amount = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999"), places=2)
    moment = st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2079, 12, 31),
                          timezones=st.just(timezone.utc)).map(lambda d: d.replace(second=0,
                                                                                  microsecond=0))
    return st.builds(
        Payment, payment_id=st.from_regex(r"\A[A-Z0-9]{1,16}\Z"), created_at=moment,
        amount=amount, currency=st.sampled_from(["USD", "EUR", "CNY"]), debtor=party,
        debtor_agent=bank, creditor_agent=bank, creditor=party,
        intermediary_agents=st.lists(st.builds(Agent, bic=bic), max_size=max_chain),
        remittance_info=st.none() | text,
    )


# ---- pacs.008 ---------------------------------------------------------------------------

def _el(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{escape(value)}</{tag}>"


def _address_xml(address: Address | None) -> str:
    if address is None:
        return ""
    return ("<PstlAdr>" + _el("TwnNm", address.town) + _el("Ctry", address.country)
            + _el("AdrLine", address.street) + "</PstlAdr>")


def _agent_xml(tag: str, agent: Agent | None) -> str:
    if agent is None:
        return ""
    return (f"<{tag}><FinInstnId>" + _el("BICFI", agent.bic) + _el("Nm", agent.name)
            + _address_xml(agent.address) + f"</FinInstnId></{tag}>")


def _party_xml(tag: str, party: Party) -> str:
    body = f"<{tag}>" + _el("Nm", party.name) + _address_xml(party.address) + f"</{tag}>"
    if party.account:
        body += f"<{tag}Acct><Id><Othr><Id>{party.account}</Id></Othr></Id></{tag}Acct>"
    return body


def to_pacs008(p: Payment) -> bytes:
    chain = "".join(_agent_xml(f"IntrmyAgt{i}", a) for i, a in enumerate(p.intermediary_agents, 1))
    rmt = f"<RmtInf>{_el('Ustrd', p.remittance_info)}</RmtInf>" if p.remittance_info else ""
    xml = (
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>'
        f"<GrpHdr><MsgId>M</MsgId><CreDtTm>{p.created_at.isoformat()}</CreDtTm>"
        "<NbOfTxs>1</NbOfTxs></GrpHdr><CdtTrfTxInf>"
        f"<PmtId><EndToEndId>{p.payment_id}</EndToEndId></PmtId>"
        f"<IntrBkSttlmAmt Ccy={quoteattr(p.currency)}>{p.amount}</IntrBkSttlmAmt>"
        + chain + _party_xml("Dbtr", p.debtor) + _agent_xml("DbtrAgt", p.debtor_agent)
        + _agent_xml("CdtrAgt", p.creditor_agent) + _party_xml("Cdtr", p.creditor) + rmt
        + "</CdtTrfTxInf></FIToFICstmrCdtTrf></Document>"
    )
    return xml.encode()


def _pacs_view(p: Payment) -> Payment:
    """What pacs.008 carries of a payment: an agent's country is its address country."""
    def agent(a: Agent) -> Agent:
        return a.model_copy(update={"country": a.address.country if a.address else None})
    return p.model_copy(update={
        "debtor_agent": agent(p.debtor_agent), "creditor_agent": agent(p.creditor_agent),
    })


UNICODE_TEXT = words(st.characters(whitelist_categories=("L", "N", "P", "S")))


@settings(max_examples=150, deadline=None)
@given(payments(UNICODE_TEXT, max_chain=3, name_max=140))
def test_pacs008_round_trip(payment: Payment) -> None:
    [decoded] = decode_pacs008(to_pacs008(payment), max_bytes=MAX)
    assert decoded == _pacs_view(payment)


# ---- MT103 ------------------------------------------------------------------------------

def _mt_party(tag: str, party: Party) -> str:
    """Option F: account (or, in 50F where line 1 is mandatory, an identifier), 1/ name,
    2/ street, 3/ country/town."""
    lines = [f"/{party.account}"] if party.account else []
    if tag == "50F" and not party.account:
        lines = [DEBTOR_ID]
    lines.append(f"1/{party.name}")
    address = party.address or Address()
    if address.street:
        lines.append(f"2/{address.street}")
    if address.country:
        lines.append(f"3/{address.country}" + (f"/{address.town}" if address.town else ""))
    return f":{tag}:" + "\n".join(lines)


def _mt_bank(tag: str, agent: Agent) -> str:
    if agent.bic:
        return f":{tag}A:{agent.bic}"
    street = agent.address.street if agent.address else None
    return f":{tag}D:{agent.name}" + (f"\n{street}" if street else "")


def to_mt103(p: Payment) -> bytes:
    chain = [_mt_bank(n, a) for n, a in zip(("53", "54", "56"), p.intermediary_agents)]
    fields = [
        f":20:{p.payment_id}", f":13C:/SNDTIME/{p.created_at:%H%M}+0000", ":23B:CRED",
        f":32A:{p.created_at:%y%m%d}{p.currency}{format(p.amount, 'f').replace('.', ',')}",
        _mt_party("50F", p.debtor), _mt_bank("52", p.debtor_agent), *chain,
        _mt_bank("57", p.creditor_agent), _mt_party("59F", p.creditor),
        *([f":70:{p.remittance_info}"] if p.remittance_info else []), ":71A:SHA",
    ]
    return ("\n".join(fields) + "\n-").encode()


def _mt_view(p: Payment) -> Payment:
    """What this MT103 rendering carries: option F keeps a town only beside a country,
    option D keeps no bank country or town."""
    def party(x: Party) -> Party:
        a = x.address
        if a is not None and a.country is None and a.town is not None:
            a = a.model_copy(update={"town": None})
            a = a if a.street else None
        return x.model_copy(update={"address": a})

    def bank(a: Agent) -> Agent:
        if a.bic or a.address is None:
            return a
        kept = Address(street=a.address.street) if a.address.street else None
        return a.model_copy(update={"address": kept})

    debtor = party(p.debtor)
    if not debtor.account:
        debtor = debtor.model_copy(update={"id": DEBTOR_ID})
    return p.model_copy(update={
        "debtor": debtor, "creditor": party(p.creditor),
        "debtor_agent": bank(p.debtor_agent), "creditor_agent": bank(p.creditor_agent),
    })


# A name of exactly 35 characters (33 after "1/") reads as continued on the next line
# (docs/formats.md, "Line breaks"), so names stay shorter here.
SWIFT_TEXT = words(st.sampled_from(SWIFT_X), max_words=3, max_len=10)
# A town follows "3/CC/" on a line of at most 35 characters.
MT_TOWN_MAX = 30


@settings(max_examples=150, deadline=None)
@given(payments(SWIFT_TEXT, max_chain=3, name_max=32, town_max=MT_TOWN_MAX))
def test_mt103_round_trip(payment: Payment) -> None:
    [decoded] = decode_mt103(to_mt103(payment), max_bytes=MAX)
    assert decoded == _mt_view(payment)

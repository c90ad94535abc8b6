"""ISO 20022 pacs.008.001.08 (FIToFICstmrCdtTrf) into canonical payments, one per CdtTrfTxInf.

Mapping (documented for users in docs/formats.md):

- payment_id  PmtId/EndToEndId (when it is NOTPROVIDED: the UETR, else PmtId/TxId)
- uetr        PmtId/UETR;  created_at  GrpHdr/CreDtTm (no offset means UTC)
- amount      IntrBkSttlmAmt with its Ccy attribute
- parties     Dbtr+DbtrAcct, Cdtr+CdtrAcct, UltmtDbtr, UltmtCdtr (Nm, PstlAdr, CtryOfRes, Id)
- banks       DbtrAgt, CdtrAgt, InstgAgt, InstdAgt (the transaction's, else GrpHdr's),
              intermediary_agents = PrvsInstgAgt1-3 then IntrmyAgt1-3, in routing order
- purpose     Purp/Cd or Purp/Prtry
- remittance  RmtInf/Ustrd and Strd/AddtlRmtInf, then InstrForCdtrAgt and InstrForNxtAgt text
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - element type only; parsing is in xml_safety
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from streams.errors import FormatError
from streams.formats.canonical import address_from, clean_text, join_text, validated
from streams.formats.xml_safety import parse_xml
from streams.models import Agent, Party, Payment

__all__ = ["PACS008_NAMESPACE", "decode_pacs008"]

PACS008_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
NOT_PROVIDED = "NOTPROVIDED"

_DATETIME = TypeAdapter(datetime)
_PAYMENT_SOURCES = {
    "payment_id": "PmtId/EndToEndId", "uetr": "PmtId/UETR", "created_at": "GrpHdr/CreDtTm",
    "amount": "IntrBkSttlmAmt", "currency": "IntrBkSttlmAmt/@Ccy", "purpose": "Purp",
    "remittance_info": "RmtInf", "intermediary_agents": "IntrmyAgt",
}
_ADDRESS_SOURCES = {"street": "StrtNm", "town": "TwnNm", "postcode": "PstCd", "country": "Ctry"}
_AGENT_SOURCES = {"bic": "FinInstnId/BICFI", "name": "FinInstnId/Nm",
                  "country": "FinInstnId/PstlAdr/Ctry", "address": "FinInstnId/PstlAdr",
                  **{f"address.{k}": f"FinInstnId/PstlAdr/{v}"
                     for k, v in _ADDRESS_SOURCES.items()}}
_PARTY_SOURCES = {"name": "Nm", "account": "Acct/Id", "address": "PstlAdr",
                  "country": "CtryOfRes", "id": "Id",
                  **{f"address.{k}": f"PstlAdr/{v}" for k, v in _ADDRESS_SOURCES.items()}}


class _Node:
    """An element of the message with its path, for lookups and for naming it in errors."""

    __slots__ = ("element", "path")

    def __init__(self, element: ET.Element, path: str) -> None:
        self.element = element
        self.path = path

    def first(self, name: str) -> _Node | None:
        """The first child (or descendant, for `A/B`) of that name, or None."""
        found = self.element.find(_qualified(name))
        return None if found is None else _Node(found, f"{self.path}/{name}")

    def every(self, name: str) -> list[_Node]:
        """All children of that name, each with an indexed path."""
        found = self.element.findall(_qualified(name))
        return [_Node(el, f"{self.path}/{name}[{i}]") for i, el in enumerate(found, 1)]

    def text(self, name: str) -> str | None:
        """The whitespace-folded text of the child at `name`, or None when absent or blank."""
        found = self.element.find(_qualified(name))
        return None if found is None or found.text is None else clean_text(found.text)

    def texts(self, name: str) -> list[str]:
        """The non-blank texts of every child at `name`."""
        found = self.element.findall(_qualified(name))
        return [t for t in (clean_text(el.text) for el in found if el.text) if t]

    def require(self, name: str) -> _Node:
        """The child of that name, or a FormatError naming the missing element."""
        node = self.first(name)
        if node is None:
            raise FormatError(f"pacs.008 {self.path}/{name} is missing", "missing_element")
        return node


@lru_cache(maxsize=512)
def _qualified(path: str) -> str:
    return "/".join(f"{{{PACS008_NAMESPACE}}}{part}" for part in path.split("/"))


def _local_name(tag: str) -> tuple[str, str]:
    namespace, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, local


def _find_document(root: ET.Element) -> ET.Element:
    """The <Document>: the root itself or inside an envelope (e.g. beside a BAH <AppHdr>)."""
    for element in root.iter():
        namespace, local = _local_name(element.tag)
        if local == "Document":
            if namespace != PACS008_NAMESPACE:
                raise FormatError(f"Document namespace is {namespace or '(none)'!r}, "
                                  f"expected {PACS008_NAMESPACE}", "unsupported_message")
            return element
    raise FormatError(f"no <Document> element (root is <{_local_name(root.tag)[1]}>)",
                      "unsupported_message")


def decode_pacs008(raw: bytes, *, max_bytes: int) -> list[Payment]:
    """The canonical payments of a pacs.008.001.08 message, or a FormatError naming the element."""
    document = _Node(_find_document(parse_xml(raw, max_bytes=max_bytes)), "Document")
    message = document.require("FIToFICstmrCdtTrf")
    header = message.require("GrpHdr")
    created_at = _created_at(header)
    transactions = message.every("CdtTrfTxInf")
    if not transactions:
        raise FormatError(f"pacs.008 {message.path} has no CdtTrfTxInf", "missing_element")
    declared = header.text("NbOfTxs")
    if declared is not None and declared != str(len(transactions)):
        raise FormatError(
            f"pacs.008 {header.path}/NbOfTxs is {declared!r} but the message has "
            f"{len(transactions)} CdtTrfTxInf", "validation",
        )
    group_agents = (_agent(header.first("InstgAgt")), _agent(header.first("InstdAgt")))
    return [_payment(tx, created_at, group_agents) for tx in transactions]


def _created_at(header: _Node) -> datetime:
    text = header.text("CreDtTm")
    if text is None:
        raise FormatError(f"pacs.008 {header.path}/CreDtTm is missing", "missing_element")
    try:
        value = _DATETIME.validate_python(text)
    except ValidationError as exc:
        raise FormatError(f"pacs.008 {header.path}/CreDtTm is not an ISO date-time: {text!r}",
                          "validation") from exc
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _payment(tx: _Node, created_at: datetime,
             group_agents: tuple[Agent | None, Agent | None]) -> Payment:
    ids = tx.require("PmtId")
    end_to_end = ids.text("EndToEndId")
    if end_to_end is None:
        raise FormatError(f"pacs.008 {ids.path}/EndToEndId is missing", "missing_element")
    uetr = ids.text("UETR")
    payment_id = end_to_end if end_to_end != NOT_PROVIDED else (uetr or ids.text("TxId"))
    amount = tx.require("IntrBkSttlmAmt")
    chain = [f"PrvsInstgAgt{i}" for i in (1, 2, 3)] + [f"IntrmyAgt{i}" for i in (1, 2, 3)]
    purpose = tx.first("Purp")
    data: dict[str, Any] = {
        "payment_id": payment_id,
        "uetr": uetr,
        "created_at": created_at,
        "amount": amount.element.text,
        "currency": amount.element.get("Ccy"),
        "debtor": _party(tx.require("Dbtr"), tx.first("DbtrAcct"), required=True),
        "debtor_agent": _agent(tx.require("DbtrAgt")),
        "creditor_agent": _agent(tx.require("CdtrAgt")),
        "creditor": _party(tx.require("Cdtr"), tx.first("CdtrAcct"), required=True),
        "intermediary_agents": [a for a in (_agent(tx.first(n)) for n in chain) if a],
        "instructing_agent": _agent(tx.first("InstgAgt")) or group_agents[0],
        "instructed_agent": _agent(tx.first("InstdAgt")) or group_agents[1],
        "ultimate_debtor": _party(tx.first("UltmtDbtr"), None, required=False),
        "ultimate_creditor": _party(tx.first("UltmtCdtr"), None, required=False),
        "purpose": purpose and (purpose.text("Cd") or purpose.text("Prtry")),
        "remittance_info": join_text([
            *tx.texts("RmtInf/Ustrd"), *tx.texts("RmtInf/Strd/AddtlRmtInf"),
            *tx.texts("InstrForCdtrAgt/InstrInf"), *tx.texts("InstrForNxtAgt/InstrInf"),
        ]),
    }
    return validated(Payment, data, tx.path, _PAYMENT_SOURCES)


def _agent(node: _Node | None) -> Agent | None:
    """A bank [BranchAndFinancialInstitutionIdentification6]; None when the element is absent."""
    if node is None:
        return None
    institution = node.require("FinInstnId")
    name = institution.text("Nm")
    if name is None and institution.text("BICFI") is None:
        # no BIC and no name: keep the bank in the chain under the identifier it has
        name = join_text([institution.text("ClrSysMmbId/ClrSysId/Cd"),
                          institution.text("ClrSysMmbId/MmbId")]) \
            or institution.text("LEI") or institution.text("Othr/Id")
    address = _address(institution.first("PstlAdr"))
    data = {"bic": institution.text("BICFI"), "name": name, "address": address,
            "country": address.get("country") if address else None}
    return validated(Agent, data, node.path, _AGENT_SOURCES)


def _party(node: _Node | None, account: _Node | None, *, required: bool) -> Party | None:
    """A party [PartyIdentification135] and its account [CashAccount38]."""
    if node is None:
        return None
    identifier = (node.text("Id/OrgId/AnyBIC") or node.text("Id/OrgId/LEI")
                  or node.text("Id/OrgId/Othr/Id") or node.text("Id/PrvtId/Othr/Id"))
    name = node.text("Nm") or identifier
    if name is None:
        if required:
            raise FormatError(f"pacs.008 {node.path}/Nm is missing (a party needs a name)",
                              "missing_element")
        return None
    data = {
        "name": name, "id": identifier, "country": node.text("CtryOfRes"),
        "address": _address(node.first("PstlAdr")),
        "account": account and (account.text("Id/IBAN") or account.text("Id/Othr/Id")),
    }
    return validated(Party, data, node.path, _PARTY_SOURCES)


def _address(node: _Node | None) -> dict[str, str] | None:
    """A postal address [PostalAddress24], structured parts first, then any AdrLine."""
    if node is None:
        return None
    street = join_text([
        join_text([node.text("StrtNm"), node.text("BldgNb")]), node.text("BldgNm"),
        *node.texts("AdrLine"),
    ], ", ")
    return address_from(street=street, town=node.text("TwnNm"), postcode=node.text("PstCd"),
                        country=node.text("Ctry"))

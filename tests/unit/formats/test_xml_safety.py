"""The hardened XML parser refuses DTDs, entities, external references, depth and size."""

from __future__ import annotations

import pytest

from streams.errors import FormatError
from streams.formats.xml_safety import parse_xml


@pytest.mark.parametrize(
    ("name", "error_type"),
    [
        ("hostile/billion-laughs.xml", "xml_dtd"),
        ("hostile/external-entity.xml", "xml_dtd"),
        ("hostile/external-dtd.xml", "xml_dtd"),
        ("hostile/truncated.xml", "xml_syntax"),
    ],
)
def test_hostile_documents_are_refused(fixture_bytes, name: str, error_type: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_xml(fixture_bytes(name), max_bytes=100_000)
    assert caught.value.error_type == error_type


def test_entity_payload_never_reaches_the_tree(fixture_bytes) -> None:
    with pytest.raises(FormatError) as caught:
        parse_xml(fixture_bytes("hostile/external-entity.xml"), max_bytes=100_000)
    assert "root:" not in caught.value.reason  # nothing of /etc/passwd
    assert "DTD" in caught.value.reason


def test_undeclared_entity_is_a_syntax_error() -> None:
    with pytest.raises(FormatError) as caught:
        parse_xml(b"<a>&xxe;</a>", max_bytes=1000)
    assert caught.value.error_type == "xml_syntax"
    assert "undefined entity" in caught.value.reason


def test_depth_is_bounded() -> None:
    deep = b"<a>" * 41 + b"</a>" * 41
    with pytest.raises(FormatError) as caught:
        parse_xml(deep, max_bytes=10_000, max_depth=40)
    assert caught.value.error_type == "xml_depth"
    assert parse_xml(b"<a>" * 40 + b"</a>" * 40, max_bytes=10_000, max_depth=40).tag == "a"


def test_size_is_checked_before_parsing() -> None:
    with pytest.raises(FormatError) as caught:
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1024)
    assert caught.value.error_type == "too_large"
    assert "1024-byte limit" in caught.value.reason


def test_xinclude_is_not_processed() -> None:
    root = parse_xml(
        b'<a xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<xi:include href="/etc/passwd" parse="text"/></a>', max_bytes=1000,
    )
    assert "root:" not in (root[0].text or "")
    assert root[0].tag.endswith("include")


def test_external_references_open_no_connection() -> None:
    import select
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        port = server.getsockname()[1]
        documents = [
            b'<!DOCTYPE a SYSTEM "http://127.0.0.1:%d/a.dtd"><a/>' % port,
            b'<!DOCTYPE a [<!ENTITY e SYSTEM "http://127.0.0.1:%d/e">]><a>&e;</a>' % port,
            b'<!DOCTYPE a [<!ENTITY %% p SYSTEM "http://127.0.0.1:%d/p"> %%p;]><a/>' % port,
        ]
        for document in documents:
            with pytest.raises(FormatError):
                parse_xml(document, max_bytes=10_000)
        readable, _, _ = select.select([server], [], [], 0.2)
        assert readable == [], "the parser connected to the address in the document"

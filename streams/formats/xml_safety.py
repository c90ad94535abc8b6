"""Hardened XML parsing: no DTD, no entities, no external references, bounded size and depth.

Every XML payment message goes through `parse_xml`. DTDs are refused outright, so neither an
entity-expansion bomb (billion laughs) nor an external entity can even be declared; expat
never opens a file or a URL; the size is checked before parsing and the nesting depth while
parsing, so a hostile message costs at most `max_bytes` of input and `max_depth` of stack.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - used only through defusedxml's parser below

from defusedxml import (
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
    ExternalReferenceForbidden,
)
from defusedxml.ElementTree import DefusedXMLParser

from streams.errors import FormatError

__all__ = ["MAX_XML_DEPTH", "parse_xml"]

#: Deepest element nesting accepted; a pacs.008 needs about 10, an envelope adds 2 or 3.
MAX_XML_DEPTH = 40


class _DepthLimitedBuilder(ET.TreeBuilder):
    """A TreeBuilder that refuses to nest elements deeper than `max_depth`."""

    def __init__(self, max_depth: int) -> None:
        super().__init__()
        self.max_depth = max_depth
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        """Open an element, refusing it when it is nested too deeply."""
        self.depth += 1
        if self.depth > self.max_depth:
            raise FormatError(
                f"XML nested deeper than {self.max_depth} elements at <{_local(tag)}>", "xml_depth"
            )
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        """Close an element."""
        self.depth -= 1
        return super().end(tag)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(raw: bytes, *, max_bytes: int, max_depth: int = MAX_XML_DEPTH) -> ET.Element:
    """Parse untrusted XML bytes into an element tree, or raise FormatError saying why not."""
    if len(raw) > max_bytes:
        raise FormatError(f"message is {len(raw)} bytes, over the {max_bytes}-byte limit",
                          "too_large")
    parser = DefusedXMLParser(
        target=_DepthLimitedBuilder(max_depth),
        forbid_dtd=True, forbid_entities=True, forbid_external=True,
    )
    try:
        parser.feed(raw)
        root: ET.Element = parser.close()
    except FormatError:
        raise
    except DTDForbidden as exc:
        raise FormatError(
            f"XML declares a DTD (<!DOCTYPE {exc.name}>): DTDs are not accepted", "xml_dtd"
        ) from exc
    except EntitiesForbidden as exc:
        raise FormatError(f"XML declares entity {exc.name!r}: entities are not accepted",
                          "xml_entity") from exc
    except ExternalReferenceForbidden as exc:
        raise FormatError(
            f"XML refers to an external resource ({exc.sysid}): not accepted", "xml_external"
        ) from exc
    except DefusedXmlException as exc:
        raise FormatError(f"XML refused: {exc}", "xml_forbidden") from exc
    except ET.ParseError as exc:
        raise FormatError(f"malformed XML: {exc}", "xml_syntax") from exc
    except LookupError as exc:  # an unknown encoding in the XML declaration
        raise FormatError(f"XML declares an unknown encoding: {exc}", "encoding") from exc
    except RecursionError as exc:
        raise FormatError("XML nested too deeply", "xml_depth") from exc
    return root

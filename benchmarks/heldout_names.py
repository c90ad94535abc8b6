"""Word lists, script and accent rewriting, and a name generator for the held-out-style eval."""

from __future__ import annotations

import random
from collections.abc import Sequence

__all__ = ["ABBREVIATIONS", "LEGAL_SUFFIXES", "cyrillic", "diacritics", "negatives"]

ABBREVIATIONS = {
    "INTERNATIONAL": "INTL", "COMPANY": "CO", "LIMITED": "LTD", "CORPORATION": "CORP",
    "TRADING": "TRDG", "INDUSTRIAL": "IND", "DEVELOPMENT": "DEV", "MANAGEMENT": "MGMT",
    "SERVICES": "SVCS", "TECHNOLOGY": "TECH", "ENGINEERING": "ENG", "GENERAL": "GEN",
    "NATIONAL": "NATL", "ESTABLISHMENT": "EST", "INCORPORATED": "INC", "BROTHERS": "BROS",
    "MOHAMMED": "MOHD", "MUHAMMAD": "MOHD", "COMMERCIAL": "COML", "HOLDING": "HLDG",
    "INVESTMENT": "INV", "SHIPPING": "SHPG", "CONSTRUCTION": "CONSTR", "DEPARTMENT": "DEPT",
}
LEGAL_SUFFIXES = ("LTD", "CO LTD", "LLC", "CO", "INC", "S.A.", "GMBH", "FZE", "JSC")

_CYRILLIC = (("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"),
             ("ya", "я"), ("yu", "ю"), ("yo", "ё"), ("iy", "ий"), ("a", "а"), ("b", "б"),
             ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"),
             ("y", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"),
             ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
             ("h", "х"), ("c", "к"), ("j", "дж"), ("w", "в"), ("x", "кс"), ("q", "к"))
_ACCENTS = {"A": "ÁÀÄÂ", "E": "ÉÈËÊ", "I": "ÍÏ", "O": "ÓÖÔ", "U": "ÚÜ", "N": "Ñ", "C": "Ç",
            "S": "ŞŠ", "Z": "Ž", "Y": "Ý"}


def cyrillic(name: str) -> str:
    """A Latin name written in Cyrillic letter by letter (digraphs first), upper case."""
    text = name.lower()
    out = []
    i = 0
    while i < len(text):
        for latin, cyr in _CYRILLIC:
            if text.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out).upper()


def diacritics(rng: random.Random, name: str) -> str | None:
    """Two or three letters given accents."""
    spots = [i for i, ch in enumerate(name) if ch in _ACCENTS]
    if not spots:
        return None
    chars = list(name)
    for i in rng.sample(spots, min(len(spots), rng.choice([2, 3]))):
        chars[i] = rng.choice(_ACCENTS[chars[i]])
    return "".join(chars)


GIVEN = (
    "JAMES JOHN ROBERT MICHAEL WILLIAM DAVID RICHARD JOSEPH THOMAS CHARLES MARY PATRICIA "
    "JENNIFER LINDA ELIZABETH BARBARA SUSAN JESSICA SARAH KAREN HANS PETER KLAUS JUERGEN "
    "UWE SABINE MONIKA URSULA HEIKE PIERRE JEAN MICHEL PHILIPPE ALAIN NATHALIE ISABELLE "
    "SYLVIE CATHERINE GIUSEPPE GIOVANNI ANTONIO MARIO LUIGI FRANCESCA CHIARA GIULIA JOSE "
    "MANUEL FRANCISCO JAVIER CARMEN LUCIA PILAR JOAO PEDRO THIAGO ANA BEATRIZ LARS ERIK "
    "ANDERS INGRID ASTRID SVEN JAN PIOTR KRZYSZTOF TOMASZ AGNIESZKA KATARZYNA DAAN SEM "
    "LOTTE SANNE EMMA OLIVIA NOAH LIAM LUCAS MATTEO LEON FINN KENJI HIROSHI YUKI AIKO "
    "PRIYA RAHUL ANIL SUNITA ARJUN WEI MING XIAOLI CHEN HAO OLUWASEUN CHIDI AMARA KOFI"
).split()
SURNAMES = (
    "SMITH JOHNSON WILLIAMS BROWN JONES MILLER DAVIS WILSON ANDERSON TAYLOR THOMPSON "
    "MUELLER SCHMIDT SCHNEIDER FISCHER WEBER MEYER WAGNER BECKER HOFFMANN DUBOIS MARTIN "
    "BERNARD DURAND LEROY MOREAU LAURENT ROSSI RUSSO FERRARI ESPOSITO BIANCHI ROMANO "
    "COLOMBO GARCIA FERNANDEZ GONZALEZ RODRIGUEZ LOPEZ MARTINEZ SANCHEZ PEREZ SILVA SANTOS "
    "OLIVEIRA SOUZA PEREIRA COSTA JOHANSSON LARSSON NILSSON ERIKSSON PERSSON NOWAK "
    "KOWALSKI WISNIEWSKI WOJCIK KAMINSKI DEVRIES JANSEN VANDENBERG BAKKER VISSER SMIT "
    "TANAKA SUZUKI WATANABE YAMAMOTO SHARMA PATEL GUPTA SINGH ADEYEMI OKAFOR MENSAH "
    "HUBER BAUER KELLER GRAF BRUNNER LINDQVIST BERGSTROM HOLM FONTAINE GIRARD MARCHETTI"
).split()
COMPANY_WORDS = (
    "NORTHWIND BLUEWATER GREENFIELD SILVERLINE REDWOOD OAKRIDGE BRIGHTPATH CLEARVIEW "
    "HIGHGATE MAPLETON RIVERBEND STONEBRIDGE SUNRISE WESTBROOK FAIRHAVEN KINGSLEY "
    "ALPENBLICK RHEINTAL NORDLICHT SOLEIL BELLAVISTA MONTEVERDE AURORA HELIOS ORION "
    "VERTEX NOVA LUMEN TERRA AQUA PRIMA OPTIMA CASCADE HARBOR SUMMIT MERIDIAN BEACON"
).split()
COMPANY_KINDS = (
    "LOGISTICS CONSULTING SOFTWARE FOODS TEXTILES FURNITURE PHARMA DENTAL BAKERY "
    "ARCHITECTS PRINTING TRAVEL MEDIA HOTELS FARMS FLOORING PACKAGING ROOFING OPTICS "
    "ACCOUNTING DESIGN PLASTICS ELECTRICAL TRANSPORT WINES GARDENS INSTRUMENTS"
).split()
COMPANY_FORMS = ("LTD", "LIMITED", "GMBH", "S.A.", "SRL", "BV", "AB", "LLC", "INC", "PLC",
                 "SP. Z O.O.", "S.L.", "SARL", "AG", "OY", "CO", "& CO KG", "PTY LTD")


def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN)
    if rng.random() < 0.3:
        given += " " + rng.choice(GIVEN)
    last = rng.choice(SURNAMES)
    if rng.random() < 0.15:
        last += "-" + rng.choice(SURNAMES)
    return f"{given} {last}"


def _company(rng: random.Random) -> str:
    first = rng.choice(COMPANY_WORDS + SURNAMES)
    if rng.random() < 0.3:
        first += " " + rng.choice(["AND", "&"]) + " " + rng.choice(SURNAMES)
    return f"{first} {rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_FORMS)}"


def _shared_surname(rng: random.Random, surnames: Sequence[str]) -> str:
    """A common given name with a surname that some listed person also bears."""
    return f"{rng.choice(GIVEN)} {rng.choice(surnames)}"


def negatives(rng: random.Random, count: int, listed: Sequence[str],
              surnames: Sequence[str] = ()) -> list[dict[str, object]]:
    """Generated people and companies, far from every listed name, as payments write them.

    With `surnames` (of listed people), a quarter are people who share a listed surname
    but not the given name (`neg_shared_surname`): harder negatives.
    """
    from rapidfuzz import fuzz, process, utils

    choices = [utils.default_process(n) for n in listed]
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    while len(rows) < count:
        draw = rng.random()
        kind = "shared_surname" if surnames and draw < 0.25 else (
            "person" if draw < 0.65 else "company")
        name = (_shared_surname(rng, surnames) if kind == "shared_surname"
                else _person(rng) if kind == "person" else _company(rng))
        if len(name) > 35:
            name = name[:35].rstrip()  # as a SWIFT line cuts it
        if name in seen:
            continue
        seen.add(name)
        best = process.extractOne(utils.default_process(name), choices,
                                  scorer=fuzz.token_sort_ratio, score_cutoff=80)
        if best is None:
            rows.append({"query": name, "expect": None, "family": f"neg_{kind}",
                         "type": "organization" if kind == "company" else "person"})
    return rows

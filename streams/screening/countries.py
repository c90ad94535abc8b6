"""Country names as the lists write them, mapped to ISO 3166-1 alpha-2 codes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["country_code", "is_country_code"]

# ISO 3166-1 short names, "CODE Name" separated by "|".
_ISO = """
AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla|AL Albania|
AM Armenia|AO Angola|AQ Antarctica|AR Argentina|AS American Samoa|AT Austria|AU Australia|
AW Aruba|AX Aland Islands|AZ Azerbaijan|BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|
BE Belgium|BF Burkina Faso|BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthelemy|
BM Bermuda|BN Brunei Darussalam|BO Bolivia|BQ Bonaire, Sint Eustatius and Saba|BR Brazil|
BS Bahamas|BT Bhutan|BV Bouvet Island|BW Botswana|BY Belarus|BZ Belize|CA Canada|
CC Cocos (Keeling) Islands|CD Democratic Republic of the Congo|CF Central African Republic|
CG Congo|CH Switzerland|CI Cote d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China|
CO Colombia|CR Costa Rica|CU Cuba|CV Cabo Verde|CW Curacao|CX Christmas Island|CY Cyprus|
CZ Czechia|DE Germany|DJ Djibouti|DK Denmark|DM Dominica|DO Dominican Republic|DZ Algeria|
EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara|ER Eritrea|ES Spain|ET Ethiopia|FI Finland|
FJ Fiji|FK Falkland Islands|FM Micronesia|FO Faroe Islands|FR France|GA Gabon|
GB United Kingdom|GD Grenada|GE Georgia|GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|
GL Greenland|GM Gambia|GN Guinea|GP Guadeloupe|GQ Equatorial Guinea|GR Greece|
GS South Georgia and the South Sandwich Islands|GT Guatemala|GU Guam|GW Guinea-Bissau|
GY Guyana|HK Hong Kong|HM Heard Island and McDonald Islands|HN Honduras|HR Croatia|HT Haiti|
HU Hungary|ID Indonesia|IE Ireland|IL Israel|IM Isle of Man|IN India|
IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland|IT Italy|JE Jersey|JM Jamaica|
JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia|KI Kiribati|KM Comoros|
KN Saint Kitts and Nevis|KP North Korea|KR South Korea|KW Kuwait|KY Cayman Islands|
KZ Kazakhstan|LA Laos|LB Lebanon|LC Saint Lucia|LI Liechtenstein|LK Sri Lanka|LR Liberia|
LS Lesotho|LT Lithuania|LU Luxembourg|LV Latvia|LY Libya|MA Morocco|MC Monaco|MD Moldova|
ME Montenegro|MF Saint Martin|MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali|
MM Myanmar|MN Mongolia|MO Macao|MP Northern Mariana Islands|MQ Martinique|MR Mauritania|
MS Montserrat|MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|
MZ Mozambique|NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|
NI Nicaragua|NL Netherlands|NO Norway|NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|
PA Panama|PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines|PK Pakistan|
PL Poland|PM Saint Pierre and Miquelon|PN Pitcairn|PR Puerto Rico|PS Palestine|PT Portugal|
PW Palau|PY Paraguay|QA Qatar|RE Reunion|RO Romania|RS Serbia|RU Russia|RW Rwanda|
SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore|
SH Saint Helena|SI Slovenia|SJ Svalbard and Jan Mayen|SK Slovakia|SL Sierra Leone|
SM San Marino|SN Senegal|SO Somalia|SR Suriname|SS South Sudan|ST Sao Tome and Principe|
SV El Salvador|SX Sint Maarten|SY Syria|SZ Eswatini|TC Turks and Caicos Islands|TD Chad|
TF French Southern Territories|TG Togo|TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste|
TM Turkmenistan|TN Tunisia|TO Tonga|TR Turkey|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|
TZ Tanzania|UA Ukraine|UG Uganda|UM United States Minor Outlying Islands|US United States|
UY Uruguay|UZ Uzbekistan|VA Holy See|VC Saint Vincent and the Grenadines|VE Venezuela|
VG British Virgin Islands|VI United States Virgin Islands|VN Vietnam|VU Vanuatu|
WF Wallis and Futuna|WS Samoa|XK Kosovo|YE Yemen|YT Mayotte|ZA South Africa|ZM Zambia|
ZW Zimbabwe|AN Netherlands Antilles
"""

# Other spellings used by OFAC, the UN, BIS and payment messages.
_VARIANTS = """
KP Korea, North|KP Democratic People's Republic of Korea|KP DPRK|KP North Korea|
KP Korea, Democratic People's Republic of|KP Korea DPR|KP Korea (North)|
KR Korea, South|KR Republic of Korea|KR Korea, Republic of|
MM Burma|IR Iran (Islamic Republic of)|IR Islamic Republic of Iran|
SY Syrian Arab Republic|RU Russian Federation|
GB United Kingdom of Great Britain and Northern Ireland|
GB Great Britain|GB UK|US United States of America|US USA|BS Bahamas, The|GM The Gambia|
CD Congo, Democratic Republic of the|CD DR Congo|CG Congo, Republic of the|CG Republic of the Congo|
CI Cote d Ivoire|CI Ivory Coast|CZ Czech Republic|TR Turkiye|BN Brunei|MO Macau|
MO China, Macao Special Administrative Region|HK China, Hong Kong Special Administrative Region|
VN Viet Nam|LA Lao People's Democratic Republic|TZ United Republic of Tanzania|
MD Republic of Moldova|BO Bolivia (Plurinational State of)|VE Venezuela (Bolivarian Republic of)|
PS State of Palestine|PS Palestinian|PS Palestinian Territories|PS Region: Gaza|PS West Bank|
PS Gaza|PS possibly Palestinian|UA Region: Crimea|UA Crimea|ML Region: Northern Mali|
SD Region: Kafia Kingi|CN PRC|CN People's Republic of China|
MK Macedonia, The Former Yugoslav Republic of|MK Macedonia|
MK The former Yugoslav Republic of Macedonia|CV Cape Verde|SZ Swaziland|
VG Virgin Islands, British|VI Virgin Islands, U.S.|FM Micronesia, Federated States of|
VA Vatican City|TL East Timor|TW Taiwan, Province of China|KN St. Kitts and Nevis|
VC St. Vincent and the Grenadines|LC St. Lucia|CW Curaçao|RE Réunion|
"""

_UNKNOWN = {"", "-0-", "undetermined", "unknown", "na", "n/a", "none", "stateless"}


def _fold(name: str) -> str:
    """Case-, accent- and punctuation-insensitive key for a country name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = text.replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _table() -> tuple[dict[str, str], frozenset[str]]:
    names: dict[str, str] = {}
    codes: set[str] = set()
    for block in (_ISO, _VARIANTS):
        for item in block.replace("\n", "").split("|"):
            item = item.strip()
            if not item:
                continue
            code, name = item.split(" ", 1)
            codes.add(code)
            names.setdefault(_fold(name), code)
    return names, frozenset(codes)


_NAMES, _CODES = _table()


def is_country_code(value: str) -> bool:
    """Whether `value` is an ISO alpha-2 code this table knows (upper case)."""
    return value in _CODES


@lru_cache(maxsize=4096)
def country_code(name: str | None) -> str | None:
    """The ISO alpha-2 code for a country name or code as a list writes it, or None."""
    if name is None:
        return None
    text = name.strip().rstrip(".").strip()
    if text.lower() in _UNKNOWN:
        return None
    if len(text) == 2 and text.upper() in _CODES:
        return text.upper()
    key = _fold(text)
    code = _NAMES.get(key)
    if code is None and key.startswith("the "):
        code = _NAMES.get(key[4:])
    return code

"""Word lists the normaliser uses: legal forms, payment-message abbreviations, name variants.

Each table maps a written form to one canonical token, so that `Co., Ltd.`, `Company Limited`
and `Co Ltd` all become `co ltd`, and `Intl` and `International` both become `intl`. The
tables are applied to listed names and to queries alike.
"""

from __future__ import annotations

# Multi-word legal forms and phrases, longest first is handled by the normaliser.
PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("limited", "liability", "company"): ("llc",),
    ("limited", "liability", "partnership"): ("llp",),
    ("limited", "partnership"): ("lp",),
    ("public", "limited", "company"): ("plc",),
    ("public", "joint", "stock", "company"): ("pjsc",),
    ("open", "joint", "stock", "company"): ("ojsc",),
    ("closed", "joint", "stock", "company"): ("cjsc",),
    ("joint", "stock", "company"): ("jsc",),
    ("joint", "stock", "co"): ("jsc",),
    ("private", "limited"): ("pvt", "ltd"),
    ("sociedad", "anonima"): ("sa",),
    ("societe", "anonyme"): ("sa",),
    ("sociedade", "anonima"): ("sa",),
    ("societa", "per", "azioni"): ("spa",),
    ("compania", "anonima"): ("ca",),
    ("sociedad", "de", "responsabilidad", "limitada"): ("srl",),
    ("societa", "a", "responsabilita", "limitata"): ("srl",),
    ("societe", "a", "responsabilite", "limitee"): ("sarl",),
    ("sociedad", "limitada"): ("sl",),
    ("sa", "de", "cv"): ("sa", "cv"),
    ("de", "cv"): ("cv",),
    ("sendirian", "berhad"): ("sdn", "bhd"),
    ("free", "zone", "establishment"): ("fze",),
    ("free", "zone", "company"): ("fzco",),
    ("obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"): ("ooo",),
    ("obshchestvo", "s", "ogranichennoi", "otvetstvennostyu"): ("ooo",),
    ("zakrytoe", "aktsionernoe", "obshchestvo"): ("zao",),
    ("otkrytoe", "aktsionernoe", "obshchestvo"): ("oao",),
    ("publichnoe", "aktsionernoe", "obshchestvo"): ("pao",),
    ("aktsionernoe", "obshchestvo"): ("ao",),
    ("import", "export"): ("imp", "exp"),
    ("gesellschaft", "mit", "beschrankter", "haftung"): ("gmbh",),
    # country names written out in entity names
    ("democratic", "peoples", "republic", "of", "korea"): ("dprk",),
    ("democratic", "people", "s", "republic", "of", "korea"): ("dprk",),
    ("democratic", "people", "republic", "of", "korea"): ("dprk",),
    ("north", "korea"): ("dprk",),
    ("korea", "north"): ("dprk",),
    ("islamic", "republic", "of", "iran"): ("iran",),
    ("russian", "federation"): ("russia",),
    ("united", "arab", "emirates"): ("uae",),
    # Chinese company words as pinyin syllables (what transliterated Chinese script gives)
    ("you", "xian", "gong", "si"): ("co", "ltd"),
    ("you", "xian", "ze", "ren", "gong", "si"): ("co", "ltd"),
    ("gu", "fen", "gong", "si"): ("co", "ltd"),
    ("gong", "si"): ("co",),
    ("shi", "ye"): ("ind",),
    ("fa", "zhan"): ("dev",),
    ("mao", "yi"): ("trdg",),
    ("yin", "hang"): ("bk",),
    ("ji", "tuan"): ("grp",),
    ("guo", "ji"): ("intl",),
    ("ke", "ji"): ("tech",),
}

# Legal-form tokens: they say what kind of company a name is, not which one.
LEGAL_FORMS: frozenset[str] = frozenset({
    "co", "ltd", "corp", "inc", "llc", "llp", "lp", "plc", "pjsc", "ojsc", "cjsc", "jsc",
    "pvt", "sa", "spa", "ca", "srl", "sarl", "sl", "cv", "sdn", "bhd", "fze", "fzco", "fzc",
    "ooo", "zao", "oao", "pao", "ao", "gmbh", "ag", "kg", "bv", "nv", "ab", "as", "oy", "pte",
    "ltda", "cia", "sas", "eirl", "jv", "pty", "kft", "doo", "tov", "sp", "zoo", "sro", "sc",
    "kk", "yk", "gk", "tbk", "pt", "eood", "ood", "ead", "sae", "wll", "asa", "oyj", "aps",
    "bvba", "sprl", "snc",
})

# Single written forms (abbreviations, plurals, spelling variants) to one canonical token.
CANONICAL: dict[str, str] = {}


def _group(canonical: str, *forms: str) -> None:
    for form in (canonical, *forms):
        CANONICAL[form] = canonical


# legal forms
_group("co", "company", "comp", "compania", "companhia", "compagnie")
_group("ltd", "limited", "ltee")
_group("corp", "corporation", "corpn")
_group("inc", "incorporated")
_group("ltda", "limitada")
# payment-message abbreviations
_group("intl", "international", "internacional", "internat", "intern", "inter")
_group("ind", "industrial", "industries", "industry", "indus", "industrie", "industria",
       "industrias", "industriales", "industrielle", "indl", "indust")
_group("dev", "development", "developments", "devt", "devel", "develop")
_group("trdg", "trading", "trd", "tradg")
_group("gen", "general", "genl")
_group("mgmt", "management", "mgt", "manag")
_group("mfg", "manufacturing", "manuf", "manufacturer", "manufacturers")
_group("tech", "technology", "technologies", "techn", "technical")
_group("eng", "engineering", "engg", "engr")
_group("svc", "services", "service", "svcs", "serv", "servs")
_group("bros", "brothers", "bro")
_group("assoc", "association", "assn", "associates", "associated")
_group("natl", "national", "nat", "nacional", "nationale")
_group("dept", "department")
_group("hldg", "holding", "holdings", "hldgs", "hold")
_group("inv", "investment", "investments", "invest", "invt")
_group("ent", "enterprise", "enterprises", "entp", "entreprise")
_group("constr", "construction", "constructions", "const")
_group("shpg", "shipping", "shipg")
_group("imp", "import", "importers", "importer", "imports")
_group("exp", "export", "exporters", "exporter", "exports")
_group("chem", "chemical", "chemicals", "chemie")
_group("elec", "electronics", "electronic", "electric", "electrical", "elect")
_group("equip", "equipment", "eqpt", "equipments")
_group("mktg", "marketing")
_group("comm", "communications", "communication", "comms")
_group("coml", "commercial", "comml", "comercial")
_group("org", "organization", "organisation", "organizations", "organisations")
_group("ctr", "center", "centre", "cntr")
_group("univ", "university")
_group("inst", "institute", "institution")
_group("est", "establishment", "estab", "establishments")
_group("grp", "group")
_group("st", "saint", "street", "str")
_group("and", "und", "et", "y")
_group("petrol", "petroleum", "petroleo", "petroleos")
_group("transp", "transport", "transportation", "transports", "transporte")
_group("bk", "bank", "bnk")
_group("bkg", "banking")
# romanisation variants that matter for the lists; their canonical forms are NAME_VARIANTS:
# a misspelt name is not corrected into one of these (`hasdan` may be `hamdan` as well as
# `hassan`), the index and the scorer meet the typo as it is written
_NAME_VARIANTS: set[str] = set()


def _variant(canonical: str, *forms: str) -> None:
    _group(canonical, *forms)
    _NAME_VARIANTS.add(canonical)


_variant("muhammad", "mohammed", "mohammad", "mohamed", "muhammed", "mohamad", "muhamad",
         "mohd", "muhamed", "mohamud", "muhammadu", "mohammadi")
_variant("ahmad", "ahmed", "ahmet", "ahmadi")
_variant("abd", "abdul", "abdel", "abdol", "abdal", "abdoul", "abdu")
_variant("choe", "choi", "chwe", "choy")
_variant("pak", "park", "bak")
_variant("ri", "rhee", "lee", "yi", "rhie")
_variant("kim", "gim")
_variant("yusuf", "yousef", "youssef", "yousuf", "yusef", "yussuf", "yousif", "yosef")
_variant("husayn", "hussein", "hussain", "husain", "hosein", "hossein", "husein")
_variant("hasan", "hassan")
_variant("abu", "abou", "abo")
NAME_VARIANTS: frozenset[str] = frozenset(_NAME_VARIANTS)

# Articles and connectors dropped when they stand alone: al-, el-, ul-, the.
ARTICLES: frozenset[str] = frozenset({"al", "el", "ul", "the"})

# `Abd Allah` written as one word and glued to the next name stays one word:
# "abdullahsamad" -> "abdullah samad" (not "abd lahsamad").
ABD_ALLAH_FORMS: tuple[str, ...] = ("abdullah", "abdallah", "abdollah", "abdellah")

# Prefixes glued to the next word that split into two tokens: "abdulrahman" -> "abd rahman".
GLUED_PREFIXES: tuple[tuple[str, str], ...] = (
    ("abdul", "abd"), ("abdel", "abd"), ("abdal", "abd"), ("abdol", "abd"),
)

# Titles dropped at the start of a name.
HONORIFICS: frozenset[str] = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "mme", "mlle",
    "herr", "frau", "messrs", "rev", "hon",
})

# Tokens that carry little identity; they weigh less in scores and in candidate search.
GENERIC: frozenset[str] = frozenset({
    "and", "of", "for", "de", "del", "da", "do", "dos", "das", "di", "du", "des", "la", "le",
    "los", "las", "van", "von", "der", "den", "bin", "ibn", "bint", "ben", "abu", "abd",
    "bk", "bkg", "trdg", "intl", "ind", "dev", "gen", "mgmt", "mfg", "tech", "eng", "svc", "assoc",
    "natl", "hldg", "inv", "ent", "constr", "shpg", "imp", "exp", "chem", "elec", "equip",
    "coml", "org", "ctr", "grp", "est", "transp", "petrol", "comm", "mktg", "dept",
    "investment", "trade", "finance", "financial", "shipping", "marine", "oil", "gas",
    "energy", "import", "export", "global", "foreign", "economic", "industrial", "limited",
    "new", "first", "united", "star", "sea", "ship", "air", "airlines", "aviation",
    "insurance", "credit", "capital", "partners", "consulting", "logistics", "solutions",
    "systems", "products", "resources", "mining", "metal", "metals", "steel", "agency",
    "office", "bureau", "ministry", "committee", "foundation", "society", "union", "party",
    "army", "front", "movement", "brigade", "network", "exchange", "money", "branch",
    "hong", "kong", "china", "korea", "iran", "syria", "russia", "cuba", "venezuela",
    "east", "west", "north", "south", "central", "middle", "asia", "europe", "gulf",
    "river", "city", "commerce", "general", "joint", "stock", "open", "closed", "public",
    "private", "concern", "firm", "house", "dprk", "uae",
})

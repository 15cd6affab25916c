"""Roles: what a job title says, in any of the languages leads are written in.

A title parses into a canonical role — a function ("sales", "technology", "general") and a
seniority rank (5 chief/founder … 0 intern) — after three steps:

- Unicode-aware words: casefolded, letters kept ("Geschäftsführer" stays one word), accents
  ignored only when looking words up, so "Directeur Général" and "directeur general" agree.
- Common titles of German, French, Spanish, Portuguese, Italian and Dutch read as their
  English equivalent ("Geschäftsführer" → chief executive officer, "Directeur commercial" →
  sales director, "Vertriebsleiter" → head of sales, "Diretor de Operações" → operations
  director); German compounds ending in -leiter/-leiterin split into head + function.
- English abbreviations expand ("CTO", "VP") and filler words drop ("VP of Operations" ==
  "VP Operations").

The lead keeps its raw title; `canonical_role` is what breakdowns and matching compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from tasks.search.geography import fold

_WORD = re.compile(r"[^\W_]+")

ROLE_ABBREVIATIONS = {
    "ceo": "chief executive officer", "cto": "chief technology officer",
    "cfo": "chief financial officer", "coo": "chief operating officer",
    "cio": "chief information officer", "cmo": "chief marketing officer",
    "cro": "chief revenue officer", "cpo": "chief product officer",
    "ciso": "chief information security officer", "vp": "vice president",
    "svp": "senior vice president", "evp": "executive vice president", "dir": "director",
    "mgr": "manager", "eng": "engineering", "ops": "operations", "it": "information technology",
    "hr": "human resources", "sr": "senior", "jr": "junior",
}
# Whole phrases first (longest first), as accent-folded words: a phrase means more than its
# words ("directeur general" is the chief executive, not a general director).
_CEO, _CFO = "chief executive officer", "chief financial officer"
_PHRASES = {
    # German
    "technischer leiter": "head technology", "kaufmannischer leiter": "head finance",
    "leiter vertrieb": "head sales", "leiterin vertrieb": "head sales",
    "leiter einkauf": "head procurement", "leiter produktion": "head operations",
    # French
    "president directeur general": _CEO,
    "directeur general": _CEO, "directrice generale": _CEO,
    "directeur des systemes d information": "chief information officer",
    "ressources humaines": "human resources", "chef de projet": "project manager",
    "directeur technique": "technology director", "directrice technique": "technology director",
    "directeur financier": _CFO, "directrice financiere": _CFO,
    # Spanish / Portuguese / Italian
    "director general": _CEO, "directora general": _CEO,
    "consejero delegado": _CEO, "diretor executivo": _CEO,
    "diretora executiva": _CEO, "diretor geral": _CEO,
    "amministratore delegato": _CEO, "direttore generale": _CEO,
    "recursos humanos": "human resources", "risorse umane": "human resources",
    "director financiero": _CFO, "diretor financeiro": _CFO,
    "direttore finanziario": _CFO,
    # Dutch
    "algemeen directeur": _CEO, "algemeen directrice": _CEO,
}
_PHRASE_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(p) for p in sorted(_PHRASES, key=len, reverse=True)) + r")\b")
# Single words, accent-folded, of the six languages.
_WORDS = {
    # German
    "geschaftsfuhrer": "chief executive officer", "geschaftsfuhrerin": "chief executive officer",
    "vorstandsvorsitzender": "chief executive officer", "inhaber": "owner", "inhaberin": "owner",
    "grunder": "founder", "grunderin": "founder", "mitgrunder": "cofounder", "leiter": "head",
    "leiterin": "head", "vertrieb": "sales", "verkauf": "sales", "einkauf": "procurement",
    "betrieb": "operations", "produktion": "operations", "technik": "technology",
    "entwicklung": "engineering", "ingenieur": "engineer", "ingenieurin": "engineer",
    "entwickler": "engineer", "softwareentwickler": "software engineer",
    "personal": "human resources", "finanzen": "finance", "direktor": "director",
    "direktorin": "director", "abteilungsleiter": "head", "bereichsleiter": "head",
    "prokurist": "director", "werksleiter": "head plant", "marketingleiter": "head marketing",
    # French
    "directeur": "director", "directrice": "director", "pdg": "chief executive officer",
    "commercial": "sales", "commerciale": "sales", "ventes": "sales", "achats": "procurement",
    "responsable": "manager", "informatique": "information technology",
    "technique": "technology", "exploitation": "operations", "operations": "operations",
    "fondateur": "founder", "fondatrice": "founder", "cofondateur": "cofounder",
    "gerant": "owner", "gerante": "owner", "financier": "finance", "financiere": "finance",
    "president": "president", "presidente": "president", "associe": "partner",
    # Spanish
    "director": "director", "directora": "director", "gerente": "manager", "jefe": "head",
    "jefa": "head", "ventas": "sales", "comercial": "sales", "compras": "procurement",
    "operaciones": "operations", "tecnologia": "technology", "ingeniero": "engineer",
    "ingeniera": "engineer", "finanzas": "finance", "fundador": "founder", "fundadora": "founder",
    "cofundador": "cofounder", "propietario": "owner", "socio": "partner", "socia": "partner",
    # Portuguese
    "diretor": "director", "diretora": "director", "vendas": "sales", "operacoes": "operations",
    "engenheiro": "engineer", "engenheira": "engineer", "financeiro": "finance",
    "proprietario": "owner", "dono": "owner",
    # Italian
    "direttore": "director", "direttrice": "director", "responsabile": "manager",
    "vendite": "sales", "acquisti": "procurement",
    "tecnico": "technology", "ingegnere": "engineer", "fondatore": "founder",
    "titolare": "owner", "operazioni": "operations", "amministratore": "director",
    # Dutch
    "verkoop": "sales", "inkoop": "procurement", "hoofd": "head",
    "oprichter": "founder", "medeoprichter": "cofounder", "eigenaar": "owner",
    "bedrijfsleider": "manager", "verkoopleider": "head sales", "financieel": "finance",
    "ontwikkelaar": "engineer", "techniek": "technology", "bestuurder": "director",
}
# German compounds: "Vertriebsleiter" = Vertrieb(s) + Leiter → head of sales.
_COMPOUND_HEAD = re.compile(r"^(.+?)s?(leiter|leiterin|direktor|direktorin|chef|chefin)$")
_FILLER = {"of", "the", "and", "for", "a", "an", "in", "de", "des", "du", "la", "le", "del",
           "da", "do", "di", "della", "van", "der", "und", "et", "y", "e", "en", "d"}
# Seniority ranks: the highest-ranked word in a title wins.
SENIORITY = {
    "chief": 5, "founder": 5, "cofounder": 5, "president": 5, "owner": 5, "partner": 5,
    "vice": 4, "head": 4, "director": 3, "manager": 2, "lead": 2, "principal": 2,
    "intern": 0, "trainee": 0, "assistant": 0, "apprentice": 0, "praktikant": 0,
    "stagiaire": 0, "becario": 0, "estagiario": 0, "stagista": 0, "stagiair": 0,
}
DEFAULT_RANK = 1  # engineers, analysts, recruiters: individual contributors
# Function words -> function; related functions get partial credit.
FUNCTIONS = {
    "engineering": "engineering", "engineer": "engineering", "software": "engineering",
    "devops": "engineering", "technology": "technology", "information": "it",
    "operations": "operations", "operating": "operations", "plant": "operations",
    "production": "operations", "supply": "operations", "procurement": "operations",
    "sales": "sales", "revenue": "sales", "account": "sales", "marketing": "marketing",
    "finance": "finance", "financial": "finance", "controller": "finance", "product": "product",
    "people": "hr", "human": "hr", "recruiter": "hr", "talent": "hr", "data": "data",
    "executive": "general", "founder": "general", "cofounder": "general",
    "president": "general", "owner": "general", "partner": "general",
}
SENIORITY_NAMES = {5: "executive", 4: "vice president", 3: "director", 2: "manager",
                   1: "individual contributor", 0: "junior"}


@dataclass(frozen=True)
class Role:
    """A title's canonical role: its function (None when the title names none) and rank."""

    function: str | None
    seniority: int

    @property
    def label(self) -> str:
        """"sales director", "technology executive", "individual contributor"."""
        level = SENIORITY_NAMES[self.seniority]
        return f"{self.function} {level}" if self.function else level


def _translate(word: str) -> str:
    key = fold(word)
    if key in _WORDS:
        return _WORDS[key]
    if key in ROLE_ABBREVIATIONS:
        return ROLE_ABBREVIATIONS[key]
    compound = _COMPOUND_HEAD.match(key)
    if compound:
        inner = compound.group(1)
        for stem in (inner, inner + "s"):  # "Betriebsleiter" is Betrieb-s-leiter
            if stem in _WORDS or stem in FUNCTIONS:
                return f"head {_WORDS.get(stem, stem)}"
    return word


@cache
def normalize_title(title: str) -> str:
    """Casefold, translate, expand abbreviations, drop filler:
    "VP of Ops" → "vice president operations", "Geschäftsführerin" → "chief executive officer",
    "Directeur commercial" → "director sales"; unknown words keep their letters ("Müller")."""
    text = title.casefold().replace("co-founder", "cofounder")
    folded = " ".join(fold(w) for w in _WORD.findall(text))
    folded = _PHRASE_PATTERN.sub(lambda m: _PHRASES[m.group(1)], folded)
    originals = {fold(w): w for w in _WORD.findall(text)}
    words: list[str] = []
    for word in folded.split():
        if word in _FILLER:
            continue
        translated = _translate(word)
        words.extend((originals.get(word, word) if translated == word else translated).split())
    return " ".join(words)


@cache
def canonical_role(title: str) -> Role:
    """The canonical role of a job title, in any of the supported languages."""
    words = normalize_title(title).split()
    if "vice" in words:  # a vice president is not a president
        words = [w for w in words if w != "president"]
    ranks = [SENIORITY[w] for w in words if w in SENIORITY]
    # "Assistant Director" and "Engineering Intern" are juniors whatever else they say.
    rank = 0 if 0 in ranks else max(ranks, default=DEFAULT_RANK)
    function = next((FUNCTIONS[w] for w in words if w in FUNCTIONS), None)
    return Role(function, rank)


def parse_title(title: str) -> tuple[int, str | None]:
    """Return (seniority rank 0-5, function or None) of a job title."""
    role = canonical_role(title)
    return role.seniority, role.function

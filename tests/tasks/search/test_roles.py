"""Titles in six languages: Unicode words, translations, canonical roles."""

from __future__ import annotations

import pytest

from tasks.search.industries import canonical_industry
from tasks.search.roles import Role, canonical_role, normalize_title
from tasks.search.vocabulary import role_similarity


@pytest.mark.parametrize(("title", "kept"), [
    ("Geschäftsführer Müller GmbH", "müller"),
    ("Ingénieur logiciel", "logiciel"),
    ("Koordinatorin Öffentlichkeitsarbeit", "öffentlichkeitsarbeit"),
    ("Señor Analista", "señor"),
])
def test_titles_keep_their_letters(title, kept):
    words = normalize_title(title).split()
    assert kept in words
    assert not any(len(w) == 1 for w in words)  # no "gesch ftsf hrer"


@pytest.mark.parametrize(("title", "function", "seniority"), [
    ("Geschäftsführer", "general", 5),
    ("GESCHÄFTSFÜHRERIN", "general", 5),
    ("Geschaeftsfuehrer", None, 1),  # transliterations are not guessed
    ("Vertriebsleiter", "sales", 4),
    ("Leiter Vertrieb", "sales", 4),
    ("Technischer Leiter", "technology", 4),
    ("Marketingleiter", "marketing", 4),
    ("Directeur commercial", "sales", 3),
    ("Directrice Commerciale", "sales", 3),
    ("Directeur Général", "general", 5),
    ("PDG", "general", 5),
    ("Responsable des achats", "operations", 2),
    ("Director de Ventas", "sales", 3),
    ("Jefe de Ventas", "sales", 4),
    ("Gerente de Operaciones", "operations", 2),
    ("Consejero Delegado", "general", 5),
    ("Diretor de Operações", "operations", 3),
    ("Diretor Executivo", "general", 5),
    ("Amministratore Delegato", "general", 5),
    ("Responsabile Commerciale", "sales", 2),
    ("Algemeen Directeur", "general", 5),
    ("Hoofd Verkoop", "sales", 4),
    ("CTO", "technology", 5),
    ("VP of Operations", "operations", 4),
    ("Engineering Intern", "engineering", 0),
])
def test_titles_map_to_canonical_roles(title, function, seniority):
    assert canonical_role(title) == Role(function, seniority)


@pytest.mark.parametrize(("wanted", "title"), [
    ("CEO", "Geschäftsführer"), ("CEO", "Directeur Général"), ("CEO", "Amministratore Delegato"),
    ("Sales Director", "Directeur commercial"), ("Head of Sales", "Vertriebsleiter"),
    ("VP of Operations", "VP Operations"), ("CTO", "Chief Technology Officer"),
    ("Operations Director", "Diretor de Operações"),
])
def test_foreign_titles_fill_the_english_role(wanted, title):
    assert role_similarity(wanted, title) >= 0.85


def test_role_labels_name_function_and_seniority():
    assert canonical_role("Directeur commercial").label == "sales director"
    assert canonical_role("Data Analyst").label == "data individual contributor"


@pytest.mark.parametrize(("industry", "canonical"), [
    ("SaaS", "technology"), ("Software", "technology"), ("Information Technology", "technology"),
    ("Tech", "technology"), ("Industrial Automation", "manufacturing"),
    ("Staffing & Recruiting", "staffing"), ("Beekeeping", "beekeeping"),
])
def test_industries_map_to_canonical_industries(industry, canonical):
    assert canonical_industry(industry) == canonical

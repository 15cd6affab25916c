"""Dedupe: exact keys, fuzzy person + company behind blocking, merges, new leads only."""

from __future__ import annotations

import numpy as np
import pytest

from tasks.dedupe.candidates import select_best
from tasks.dedupe.keys import lead_match_rows
from tasks.dedupe.matching import cluster_labels
from tasks.search.criteria import Prospect, ScoredLead, Verification


def lead(prospect_id: str, score: float = 0.8, **changes: object) -> ScoredLead:
    values = {"prospect_id": prospect_id, "first_name": "Jane", "last_name": "Smith",
              "name": "Jane Smith", "title": "CTO", "company": "Acme Inc", "source": "sample"}
    values |= changes
    prospect = Prospect(**values)
    return ScoredLead(prospect=prospect, match_score=score, match_reasons=["Role match: CTO"],
                      verification=Verification(email=prospect.email,
                                                email_valid=bool(prospect.email),
                                                verified=bool(prospect.email)))


@pytest.mark.parametrize("first, second", [
    ({"email": "Jane.Smith@Acme.example.com"}, {"email": " jane.smith@acme.example.com",
                                                "name": "J. Smith", "first_name": "J."}),
    ({"linkedin": "https://www.linkedin.com/in/Jane-Smith/"},
     {"linkedin": "linkedin.com/in/jane-smith?trk=x", "company": "Other Co"}),
    ({"phone": "+1 (312) 555-0101"}, {"phone": "+13125550101", "name": "Janie Smith-Jones",
                                      "first_name": "Janie", "last_name": "Smith-Jones"}),
    # One mailbox however spelt (storage.leads.emails), even under another employer's name.
    ({"email": "jane.smith@gmail.com"}, {"email": "JaneSmith+crm@googlemail.com",
                                         "company": "Other Co"}),
    ({"email": "jane@outlook.com"}, {"email": "jane+leads@outlook.com", "company": "Other Co"}),
    ({}, {"first_name": "Jnae", "name": "Jnae Smith"}),                      # first-name typo
    ({}, {"last_name": "Smyth", "name": "Jane Smyth", "company": "ACME, LLC"}),  # surname + suffix
    ({"first_name": "", "last_name": ""}, {"name": "jane smith"}),           # only a full name
])
def test_the_same_person_is_one_lead(first: dict, second: dict) -> None:
    chosen = select_best([lead("a", 0.9, **first), lead("b", 0.7, **second)], 10)
    assert [chosen_lead.prospect.prospect_id for chosen_lead in chosen] == ["a"]


@pytest.mark.parametrize("other", [
    {"first_name": "John", "name": "John Smith"},                   # a colleague, same surname
    {"company": "Globex", "name": "Jane Smith"},                    # a namesake elsewhere
    {"first_name": "Mary", "last_name": "Jones", "name": "Mary Jones"},
])
def test_different_people_stay_apart(other: dict) -> None:
    chosen = select_best([lead("a", 0.9), lead("b", 0.7, **other)], 10)
    assert len(chosen) == 2


def test_namesakes_at_one_company_with_their_own_mailboxes_stay_apart() -> None:
    chosen = select_best([lead("a", 0.9, email="jane.smith@acme.example.com"),
                          lead("b", 0.7, email="jane.smith2@acme.example.com")], 10)
    assert len(chosen) == 2


def test_a_merge_keeps_the_best_lead_fills_its_gaps_and_keeps_all_provenance() -> None:
    best = lead("a", 0.9, email="jane@acme.example.com", phone=None, source="apollo")
    worse = lead("b", 0.5, email="jane@acme.example.com", phone="+13125550101",
                 title="Chief Technology Officer", city="Chicago", source="pdl")
    [merged] = select_best([worse, best], 5)
    assert merged.prospect.prospect_id == "a" and merged.match_score == 0.9
    assert merged.prospect.title == "CTO"                     # its own field stays
    assert merged.prospect.phone == "+13125550101"            # a gap filled from the duplicate
    assert merged.prospect.city == "Chicago"
    assert {(s["source"], s["record_id"]) for s in merged.prospect.found_by} == {
        ("apollo", "a"), ("pdl", "b")}


def test_duplicates_of_duplicates_end_in_one_cluster() -> None:
    leads = [lead("a", 0.9, email="jane@acme.example.com"),
             lead("b", 0.8, email="jane@acme.example.com", phone="+13125550101",
                  first_name="Jo", last_name="Park", name="Jo Park"),
             lead("c", 0.7, phone="+1 312 555 0101", first_name="Kim", last_name="Lee",
                  name="Kim Lee", company="Initech")]
    assert len(select_best(leads, 10)) == 1


def test_known_leads_are_marked_or_left_out_when_only_new_ones_are_wanted() -> None:
    known = [{"id": "lead-1", "email": None, "linkedin": None, "phone": None,
              "first_name": "Jane", "last_name": "Smith", "name": "Jane Smith",
              "company": "ACME Incorporated"}]
    leads = [lead("a", 0.9, first_name="Jane", last_name="Smiht"),
             lead("b", 0.8, first_name="Bo", last_name="Chen", name="Bo Chen"),
             lead("c", 0.7, first_name="Al", last_name="Diaz", name="Al Diaz")]
    every = select_best(leads, 2, known)
    assert [(x.prospect.prospect_id, x.known_lead_id) for x in every] == [
        ("a", "lead-1"), ("b", None)]
    new = select_best(leads, 2, known, new_only=True)
    assert [x.prospect.prospect_id for x in new] == ["b", "c"]  # the next best takes its place


def test_match_columns_are_normalised() -> None:
    [row] = lead_match_rows([{"email": " Jo@X.Example.com ", "phone": "+44 20 7946 0958",
                              "linkedin": "http://uk.linkedin.com/in/Jo-Ng/", "name": "José Ng",
                              "company": "Café Müller GmbH"}]).to_pylist()
    assert row == {"email_key": "jo@x.example.com", "linkedin_key": "linkedin.com/in/jo-ng",
                   "phone_key": "+442079460958", "first": "jose", "last": "ng",
                   "employer": "cafe muller", "employer_token": "cafe"}


def test_clusters_are_connected_components() -> None:
    labels = cluster_labels(6, np.array([[4, 5], [1, 2], [2, 4]]))
    assert labels.tolist() == [0, 1, 1, 3, 1, 1]

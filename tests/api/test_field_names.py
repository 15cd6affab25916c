"""The one did-you-mean rule for keys a body does not declare, as both APIs word it."""

from __future__ import annotations

import pytest

from api.errors import InvalidFormat
from api.field_names import closest_field
from api.management.requests import ContractBody, validate


class Address(ContractBody):
    city: str | None = None
    postalCode: str | None = None


class Contact(ContractBody):
    firstName: str
    emailAddress: str | None = None
    addresses: list[Address] = []


@pytest.mark.parametrize(("name", "known", "expected"), [
    ("searchCritera", ["targetAudience", "searchCriteria", "businessInfo"], "searchCriteria"),
    ("maxLead", ["siteId", "maxLeads", "priority"], "maxLeads"),
    ("agentId", ["siteId", "userId", "agent_id"], "agent_id"),
    ("company-size", ["companySize", "industries"], "companySize"),
    ("colour", ["siteId", "maxLeads", "priority"], None),
    ("name", ["notes", "status"], None),
])
def test_closest_field_suggests_only_a_near_declared_name(name, known, expected):
    assert closest_field(name, known) == expected


@pytest.mark.parametrize(("body", "field", "issue"), [
    ({"firstName": "Jane", "emailAdress": "j@x.com"}, "emailAdress",
     "emailAdress is not a known field; did you mean emailAddress?"),
    ({"firstName": "Jane", "addresses": [{"postal_code": "1000"}]}, "addresses.0.postal_code",
     "postal_code is not a known field; did you mean postalCode?"),
    ({"firstName": "Jane", "nickname": "J"}, "nickname", "nickname is not a known field"),
])
def test_management_bodies_name_the_unknown_field_and_the_near_one(body, field, issue):
    with pytest.raises(InvalidFormat) as refused:
        validate(Contact, body)
    assert refused.value.details == {"field": field, "issue": issue}

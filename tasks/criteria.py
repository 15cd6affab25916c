"""The values that travel through the pipeline: what a command searches for, and what it finds.

`SearchSpec` is read off the generated command object (`targets[0].leads`); `Prospect` is one
candidate contact from a research source; `ScoredLead` is a prospect with its verification and
score, on its way to the lead store.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class SearchSpec(BaseModel):
    """Who a command wants to reach and the hard limits of its search."""

    industries: list[str] = Field(default_factory=list)
    company_sizes: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    locations: list[str] = Field(default_factory=list)
    interests: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    excluded_terms: list[str] = Field(default_factory=list)
    min_revenue: int | None = None
    max_revenue: int | None = None
    has_website: bool | None = None
    count: int = 10


class Prospect(BaseModel):
    """One contact at one company, as a research source returns it."""

    prospect_id: str
    first_name: str
    last_name: str
    name: str
    title: str
    email: str | None = None
    phone: str | None = None
    linkedin: str | None = None
    company_id: str
    company: str
    website: str | None = None
    industry: str
    employee_count: int
    company_size: str
    revenue_usd: int | None = None
    city: str | None = None
    region: str | None = None
    country: str
    country_code: str
    description: str = ""
    source: str = "sample"


class Verification(BaseModel):
    """What verification established about a prospect's contact details."""

    email: str | None = None
    email_valid: bool = False
    phone_e164: str | None = None
    phone_valid: bool = False
    verified: bool = False
    notes: list[str] = Field(default_factory=list)


class ScoredLead(BaseModel):
    """A prospect with its verification, score and the reasons it matches."""

    prospect: Prospect
    verification: Verification
    match_score: float
    match_reasons: list[str]
    estimated_revenue: str | None = None
    location: str | None = None

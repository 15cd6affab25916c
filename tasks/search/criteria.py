"""The values that travel through the pipeline: what a command searches for, and what it finds.

`SearchSpec` is read off the generated command object (`targets[0].leads`); `Prospect` is one
candidate contact from a research source; `ScoredLead` is a prospect with its verification and
score, on its way to the lead store.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from tasks.search.ideal_customer import IdealCustomer


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
    ideal_customer: IdealCustomer = Field(
        default_factory=IdealCustomer,
        description="Soft criteria from the seller's ideal customer profile, offering and "
                    "selling points (tasks.search.ideal_customer); weighed below every "
                    "explicit criterion.")
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Per-site overrides of the scoring weights (role, industry, location, size, "
                    "text, revenue, icp); see tasks.scoring.match.WEIGHTS.")
    site_id: str | None = Field(
        default=None, description="The command's site: research reads its imported lists too."
    )
    sources: list[str] = Field(
        default_factory=list, description="Research sources to use; empty: every configured one."
    )


class Prospect(BaseModel):
    """One contact at one company, as a research source returns it."""

    prospect_id: str
    first_name: str = ""
    last_name: str = ""
    name: str
    title: str = ""
    email: str | None = None
    phone: str | None = None
    linkedin: str | None = None
    company_id: str = ""
    company: str
    website: str | None = None
    industry: str = ""
    employee_count: int | None = None
    company_size: str = ""
    revenue_usd: int | None = None
    city: str | None = None
    region: str | None = None
    country: str = ""
    country_code: str = ""
    description: str = ""
    source: str = "sample"
    # Provenance: every source that found this person, with its record id and the fields it
    # gave ({"source", "record_id", "fields", "found_at"}); empty means `source` alone.
    found_by: list[dict[str, Any]] = Field(default_factory=list)

    def provenance(self) -> list[dict[str, Any]]:
        """Who found this prospect: its `found_by`, or its own source when it has none."""
        if self.found_by:
            return self.found_by
        fields = sorted(k for k, v in self.model_dump(exclude={"found_by", "source"}).items()
                        if v not in (None, "", []) and k not in {"prospect_id", "company_id"})
        return [{"source": self.source, "record_id": self.prospect_id, "fields": fields}]

    def identity_fields(self) -> dict[str, Any]:
        """The fields the identity rule reads (`storage.leads.identity`)."""
        return {"email": self.email, "linkedin": self.linkedin, "phone": self.phone,
                "name": self.name, "first_name": self.first_name, "last_name": self.last_name,
                "company": self.company, "website": self.website}

    @field_validator("first_name", "last_name", "title", "company_id", "industry",
                     "company_size", "country", "country_code", "description", mode="before")
    @classmethod
    def _absent_text_is_empty(cls, value: Any) -> Any:
        # Imported lists and providers leave these out; the pipeline treats "" as unknown.
        return "" if value is None else value


class Verification(BaseModel):
    """What verification established about a prospect's contact details."""

    email: str | None = None
    email_valid: bool = False
    phone_e164: str | None = None
    phone_valid: bool = False
    verified: bool = False
    notes: list[str] = Field(default_factory=list)
    phone_possible: bool = False
    phone_type: str | None = Field(default=None, description="mobile, fixed_line, voip, ...")
    phone_region: str | None = Field(default=None, description="ISO country of the number.")
    level: str = Field(default="syntax", description="syntax (offline) or deep (MX + SMTP).")
    email_check: dict[str, Any] | None = Field(
        default=None, description="check-if-email-exists' result fields for the e-mail.")
    website_check: dict[str, Any] | None = Field(
        default=None,
        description="tasks.verification.website_check.WebsiteCheck of the prospect's website "
                    "(LEADMILL_WEBSITE_CHECKS); informs, never decides `verified`.")


class ScoredLead(BaseModel):
    """A prospect with its verification, score and the reasons it matches."""

    prospect: Prospect
    verification: Verification
    match_score: float
    match_reasons: list[str]
    estimated_revenue: str | None = None
    location: str | None = None
    known_lead_id: str | None = Field(
        default=None,
        description="The site's earlier lead this person matched (tasks/dedupe/candidates.py); "
                    "the persist task updates it instead of adding a lead.")

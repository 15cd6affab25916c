"""What copywriting ("copyright" processes 1-10) and SDR AI write on a lead: the prompts sent
to an OpenAI-compatible chat-completions endpoint, and the deterministic templates used when no
endpoint is configured.

Templates depend only on the lead's fields, so the same lead always gets the same text.
"""

from __future__ import annotations

import re
from typing import Any

_COPY_TEMPLATES = (
    "Hi {first}, I noticed {company}'s work in {industry}. Teams like yours use us to spend "
    "less time on manual work; worth a short call?",
    "{first}, a quick follow-up: as {title} at {company}, what is your biggest priority this "
    "quarter?",
    "Hi {first}, I'd like to connect with leaders in {industry} around {location}.",
    "Subject: An idea for {company}\n\nHi {first}, companies in {industry} of {size} employees "
    "often ask us about this. Open to a 15-minute chat?",
    "{first}, last note from me: if improving how {company} works is on your list, reply "
    "'yes' and I'll send details.",
)
# message6-message10 continue the sequence after the break-up note of message5.
_LATER_MESSAGES = (
    "Hi {first}, a short case: a {industry} team of {size} employees cut its manual work by "
    "a third in one quarter. Happy to share how.",
    "{first}, one question: who at {company} owns this topic, if not you?",
    "Hi {first}, here is a two-page guide we wrote for {industry} teams like {company}'s; "
    "want it?",
    "{first}, if the timing is wrong for {company} now, when should I check back?",
    "Hi {first}, closing your file for now. If {company}'s priorities change, I'm one reply "
    "away.",
)

_SDR_MESSAGES = {
    "message1": _COPY_TEMPLATES[0],
    "message2": _COPY_TEMPLATES[1],
    "message3": _COPY_TEMPLATES[3],
    "message4": _COPY_TEMPLATES[2],
    "message5": _COPY_TEMPLATES[4],
    **{f"message{n}": text for n, text in enumerate(_LATER_MESSAGES, start=6)},
    "aiColdEmail": _COPY_TEMPLATES[3],
    "aiLinkedinConnect": _COPY_TEMPLATES[2],
}

_SDR_INSTRUCTIONS = {
    "aiLeadScore": "Score this lead from 0 to 100 for fit. Answer with the number only.",
    "aiQualification": "Answer with one word: qualified, nurture or unqualified.",
    "aiNextAction": "Say in one sentence what the SDR should do next with this lead.",
    "aiInterest": "Rate this lead's likely interest with one word: high, medium or low.",
    "aiCompetitorAnalysis": "Name in two sentences the alternatives this lead's company likely "
                            "uses and how to position against them.",
    "aiEngagementLevel": "Rate how reachable and engaged this lead is with one word: high, "
                         "medium or low.",
    "aiPurchaseWindow": "Estimate when this lead could buy: 0-3 months, 3-6 months or "
                        "6-12 months. Answer with the window only.",
    "aiDecisionMakerRole": "Classify this lead's buying role with two words at most: decision "
                           "maker, influencer, user or unknown.",
    "aiSentiment": "Rate this lead's likely sentiment towards outreach with one word: positive, "
                   "neutral or negative.",
    "aiSocialEngagement": "Rate this lead's social media presence with one word: high, medium "
                          "or low.",
    "aiNurturingStage": "Name this lead's nurturing stage with one word: awareness, nurture or "
                        "sales-ready.",
    "aiBudgetEstimation": "Estimate this lead's company budget for a new tool with one word: "
                          "low, medium, high or unknown.",
    "aiRiskScore": "Rate from 0 to 100 the risk that this lead never converts. Answer with the "
                   "number only.",
    "aiProductFitScore": "Rate from 0 to 100 how well this lead's company fits the product. "
                         "Answer with the number only.",
    "aiSummary": "Summarise this lead in two sentences for an SDR.",
}
# Fields whose value is a number from 0 to 100 (an answer that is one is stored as one).
NUMERIC_SDR_FIELDS = ("aiLeadScore", "aiRiskScore", "aiProductFitScore")
_DECISION_TITLES = ("chief", "ceo", "cto", "cfo", "coo", "cmo", "cio", "founder", "owner",
                    "president", "vp", "vice president", "head", "director", "partner")


def lead_placeholders(profile: dict[str, Any]) -> dict[str, str]:
    """The lead fields templates use, with neutral words for missing ones."""
    first = profile.get("firstName") or (profile.get("name") or "there").split(" ")[0]
    return {
        "first": first,
        "company": profile.get("companyName") or "your company",
        "industry": profile.get("industry") or "your industry",
        "title": profile.get("title") or "a leader",
        "location": profile.get("location") or "your region",
        "size": profile.get("companySize") or "similar size",
    }


def template_score(profile: dict[str, Any]) -> int:
    """A 0-100 score: the lead's match score when it has one, else profile completeness."""
    if profile.get("score") is not None:
        return round(float(profile["score"]) * 100)
    keys = ("email", "title", "companyName", "industry", "linkedinUrl", "phone")
    return round(100 * sum(1 for key in keys if profile.get(key)) / len(keys))


def _band(score: int, high: str, middle: str, low: str) -> str:
    return high if score >= 70 else middle if score >= 40 else low


def _employees(profile: dict[str, Any]) -> int | None:
    """The first number of `companySize` ("51-200", "120", "1,000+"), if it has one."""
    found = re.search(r"\d[\d,]*", str(profile.get("companySize") or ""))
    return int(found.group().replace(",", "")) if found else None


def _decision_role(title: str | None) -> str:
    words = (title or "").lower()
    if not words:
        return "unknown"
    if any(re.search(rf"\b{name}\b", words) for name in _DECISION_TITLES):
        return "decision maker"
    return "influencer" if "manager" in words or "lead" in words else "user"


def _template_sdr(name: str, profile: dict[str, Any], values: dict[str, str]) -> Any:
    """The deterministic value of SDR field `name`: from the lead's own fields only."""
    score = template_score(profile)
    reach = sum(1 for key in ("email", "phone", "linkedinUrl") if profile.get(key))
    employees = _employees(profile)
    if name in ("aiLeadScore", "aiProductFitScore"):
        return score
    answers: dict[str, Any] = {
        "aiQualification": _band(score, "qualified", "nurture", "unqualified"),
        "aiNextAction": ("Send message1 by email today." if profile.get("email")
                         else "Connect on LinkedIn with aiLinkedinConnect."),
        "aiInterest": _band(score, "high", "medium", "low"),
        "aiCompetitorAnalysis": (
            f"{values['company']} likely compares established {values['industry']} vendors "
            f"and in-house tools. Lead with the time {values['company']} would save."),
        "aiEngagementLevel": "high" if reach >= 2 else "medium" if reach == 1 else "low",
        "aiPurchaseWindow": _band(score, "0-3 months", "3-6 months", "6-12 months"),
        "aiDecisionMakerRole": _decision_role(profile.get("title")),
        "aiSentiment": "neutral",  # no conversation yet: nothing to read a sentiment from
        "aiSocialEngagement": "medium" if profile.get("linkedinUrl") else "low",
        "aiNurturingStage": _band(score, "sales-ready", "nurture", "awareness"),
        "aiBudgetEstimation": ("unknown" if employees is None else "low" if employees < 50
                               else "medium" if employees < 500 else "high"),
        "aiRiskScore": 100 - score,
    }
    if name in answers:
        return answers[name]
    return (f"{values['first']} is {values['title']} at {values['company']} "
            f"({values['industry']}, {values['location']}). Fit score {score}/100.")


def template_value(kind: str, name: str, profile: dict[str, Any]) -> Any:
    """The deterministic value of copy process `name` ("1".."10") or SDR field `name`."""
    values = lead_placeholders(profile)
    if kind == "copyright":
        return _COPY_TEMPLATES[(int(name) - 1) % len(_COPY_TEMPLATES)].format(**values)
    if name in _SDR_MESSAGES:
        return _SDR_MESSAGES[name].format(**values)
    return _template_sdr(name, profile, values)


def output_field(kind: str, name: str) -> str:
    """The lead field a process writes: `copyright<N>`, or the SDR field's own name."""
    return f"copyright{name}" if kind == "copyright" else name


def chat_messages(kind: str, name: str, profile: dict[str, Any]) -> list[dict[str, str]]:
    """The chat-completions messages asking the configured agent for one field."""
    lead = "\n".join(f"{key}: {value}" for key, value in sorted(profile.items())
                     if value not in (None, "", []))
    if kind == "copyright":
        task = f"Write outreach copy number {name} for this lead: short, personal, no fluff."
    elif name in _SDR_INSTRUCTIONS:
        task = _SDR_INSTRUCTIONS[name]
    else:
        task = f"Write the SDR outreach message '{name}' for this lead: short and personal."
    return [{"role": "system", "content": "You are an SDR assistant writing for sales teams."},
            {"role": "user", "content": f"{task}\n\nLead:\n{lead}"}]


def parse_answer(name: str, content: str) -> Any:
    """The stored value of an answer: a score (NUMERIC_SDR_FIELDS) as a number when it is one."""
    text = content.strip()
    if name in NUMERIC_SDR_FIELDS:
        try:
            return max(0, min(100, round(float(text.split()[0]))))
        except (ValueError, IndexError):
            return text
    return text

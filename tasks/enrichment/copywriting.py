"""What copywriting ("copyright" processes 1-10) and SDR AI write on a lead: the prompts sent
to an OpenAI-compatible chat-completions endpoint, and the deterministic templates used when no
endpoint is configured.

Templates depend only on the lead's fields, so the same lead always gets the same text.
"""

from __future__ import annotations

from typing import Any

COPYRIGHT_PROCESSES = tuple(range(1, 11))
SDR_FIELDS = ("message1", "message2", "message3", "message4", "message5", "aiLeadScore",
              "aiQualification", "aiNextAction", "aiColdEmail", "aiLinkedinConnect", "aiSummary")

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

_SDR_MESSAGES = {
    "message1": _COPY_TEMPLATES[0],
    "message2": _COPY_TEMPLATES[1],
    "message3": _COPY_TEMPLATES[3],
    "message4": _COPY_TEMPLATES[2],
    "message5": _COPY_TEMPLATES[4],
    "aiColdEmail": _COPY_TEMPLATES[3],
    "aiLinkedinConnect": _COPY_TEMPLATES[2],
}

_SDR_INSTRUCTIONS = {
    "aiLeadScore": "Score this lead from 0 to 100 for fit. Answer with the number only.",
    "aiQualification": "Answer with one word: qualified, nurture or unqualified.",
    "aiNextAction": "Say in one sentence what the SDR should do next with this lead.",
    "aiSummary": "Summarise this lead in two sentences for an SDR.",
}


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


def template_value(kind: str, name: str, profile: dict[str, Any]) -> Any:
    """The deterministic value of copy process `name` ("1".."10") or SDR field `name`."""
    values = lead_placeholders(profile)
    if kind == "copyright":
        return _COPY_TEMPLATES[(int(name) - 1) % len(_COPY_TEMPLATES)].format(**values)
    if name in _SDR_MESSAGES:
        return _SDR_MESSAGES[name].format(**values)
    score = template_score(profile)
    if name == "aiLeadScore":
        return score
    if name == "aiQualification":
        return "qualified" if score >= 70 else "nurture" if score >= 40 else "unqualified"
    if name == "aiNextAction":
        return ("Send message1 by email today." if profile.get("email")
                else "Connect on LinkedIn with aiLinkedinConnect.")
    return (f"{values['first']} is {values['title']} at {values['company']} "
            f"({values['industry']}, {values['location']}). Fit score {score}/100.")


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
    """The stored value of an answer: aiLeadScore as a number when it is one."""
    text = content.strip()
    if name == "aiLeadScore":
        try:
            return max(0, min(100, round(float(text.split()[0]))))
        except (ValueError, IndexError):
            return text
    return text

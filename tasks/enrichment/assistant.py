"""What `/api/epsimo-chat` asks the company's configured LLM about a lead or a campaign, and the
deterministic answer it gives when no chat endpoint (`aiChat`) is configured."""

from __future__ import annotations

from typing import Any

from tasks.enrichment.copywriting import lead_placeholders, template_score, template_value

SYSTEM_PROMPT = ("You are a sales assistant for an SDR team. Answer briefly and concretely, "
                 "using only the context given; say when it does not tell you something.")


def _context_lines(title: str, record: dict[str, Any] | None) -> list[str]:
    if not record:
        return []
    return [f"{title}:", *(f"{key}: {value}" for key, value in sorted(record.items())
                           if value not in (None, "", [], {}))]


def chat_prompt(message: str, lead: dict[str, Any] | None, campaign: dict[str, Any] | None,
                history: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The chat-completions messages: the context (lead, campaign), the thread's earlier turns,
    then the user's message."""
    context = _context_lines("Lead", lead) + _context_lines("Campaign", campaign)
    system = SYSTEM_PROMPT + ("\n\n" + "\n".join(context) if context else "")
    return [{"role": "system", "content": system},
            *({"role": role, "content": content} for role, content in history),
            {"role": "user", "content": message}]


def template_reply(lead: dict[str, Any] | None, campaign: dict[str, Any] | None) -> str:
    """An answer from the records alone, saying that no chat model is configured."""
    parts = ["No chat model is configured for your company (set aiChat in /api/settings/url), "
             "so this answer comes from your records."]
    if lead:
        values = lead_placeholders(lead)
        name = lead.get("name") or values["first"]
        parts.append(f"{name} is {values['title']} at {values['company']} ({values['industry']},"
                     f" {values['location']}); fit score {template_score(lead)}/100, "
                     f"{template_value('sdr', 'aiQualification', lead)}. Next: "
                     f"{template_value('sdr', 'aiNextAction', lead)}")
    if campaign:
        described = f": {campaign['description']}" if campaign.get("description") else ""
        parts.append(f"Campaign {campaign['name']} is {campaign.get('status') or 'draft'}"
                     f"{described}.")
    if not lead and not campaign:
        parts.append("Send a leadId or campaignId to ask about one of your records.")
    return " ".join(parts)

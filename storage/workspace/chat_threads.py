"""Conversations of `/api/epsimo-chat`: each message of a thread, so a follow-up carries what
was said before. A thread belongs to one company; another company's thread is not found.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Column, Field, Session, SQLModel, col, select

from storage.db.clock import utcnow

HISTORY_MESSAGES = 20  # the turns of a thread sent with a new message


class ChatMessage(SQLModel, table=True):
    """One turn of a chat thread: the user's message or the assistant's reply."""

    __table_args__ = (Index("ix_chatmessage_thread_turn", "thread_id", "turn"),)

    id: str = Field(primary_key=True)
    company_id: str = Field(foreign_key="company.id", index=True)
    thread_id: str
    turn: int = Field(description="0, 1, ... in the thread's order")
    role: str = Field(description="user | assistant")
    content: str = Field(sa_column=Column(Text, nullable=False))
    lead_id: str | None = None
    campaign_id: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


def new_thread_id() -> str:
    return f"thread_{uuid.uuid4().hex}"


def thread_history(session: Session, company_id: str, thread_id: str,
                   limit: int = HISTORY_MESSAGES) -> list[ChatMessage] | None:
    """The last `limit` turns of the company's thread, oldest first; None when it has none."""
    rows = list(session.exec(
        select(ChatMessage).where(ChatMessage.company_id == company_id,
                                  ChatMessage.thread_id == thread_id)
        .order_by(col(ChatMessage.turn).desc()).limit(limit)
    ).all())
    return list(reversed(rows)) or None


def add_turns(session: Session, company_id: str, thread_id: str, first_turn: int,
              turns: list[tuple[str, str]], lead_id: str | None = None,
              campaign_id: str | None = None) -> None:
    """Store `(role, content)` turns in order, numbered from `first_turn`."""
    for offset, (role, content) in enumerate(turns):
        session.add(ChatMessage(id=str(uuid.uuid4()), company_id=company_id,
                                thread_id=thread_id, turn=first_turn + offset, role=role,
                                content=content, lead_id=lead_id, campaign_id=campaign_id))
    session.flush()

"""What an SMTP server's reply to RCPT TO means, from its code, enhanced code and text.

Servers word the same verdict many ways; these patterns are the ones verifiers meet most
(gathered from check-if-email-exists' parser and common MTAs: Postfix, Exchange, Gmail).
"""

from __future__ import annotations

import re
from enum import Enum


class RcptVerdict(Enum):
    DELIVERABLE = "deliverable"
    UNKNOWN_USER = "unknown_user"
    FULL_INBOX = "full_inbox"
    DISABLED = "disabled"
    GREYLISTED = "greylisted"
    BLOCKED = "blocked"  # the server refuses *us* (blocklist, policy): says nothing of the box
    UNDETERMINED = "undetermined"


_FULL = re.compile(r"\b[45]\.2\.2\b|mailbox (is )?full|over ?quota|quota exceeded|"
                   r"insufficient (system )?storage|out of storage|exceeded storage", re.I)
_DISABLED = re.compile(r"\b5\.2\.1\b|disabled|deactivated|inactive|suspended|"
                       r"account (has been )?(locked|closed|blocked)|no longer active", re.I)
_UNKNOWN_USER = re.compile(
    r"\b5\.1\.[0136]\b|user unknown|unknown user|no such (user|mailbox|recipient)|"
    r"does not exist|doesn.t exist|not exist|invalid (recipient|mailbox|address)|"
    r"recipient (address )?rejected|mailbox (unavailable|not found)|address rejected|"
    r"unrouteable|user not found|not a valid mailbox|undeliverable", re.I)
_GREYLIST = re.compile(r"grey ?list|gray ?list|try (again )?later|temporar|\b4\.7\.1\b", re.I)
_BLOCKED = re.compile(r"block ?list|black ?list|spamhaus|\bspam\b|\brbl\b|reputation|"
                      r"\bpolicy\b|access denied|not allowed|relay", re.I)


_ENHANCED_CODE = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


def reply_summary(code: int, text: str) -> str:
    """What of a remote reply may be shown to a user: its code and enhanced status code.

    The text itself is the remote server's (an internal banner, a host name, markup a hostile
    server chose), so it is never echoed; the code says what a person needs.
    """
    enhanced = _ENHANCED_CODE.search(text[:200])
    return f"{code} {enhanced.group(0)}" if enhanced else str(code)


def classify_rcpt(code: int, text: str) -> RcptVerdict:
    """The verdict of one RCPT TO reply."""
    if 200 <= code < 300:
        return RcptVerdict.DELIVERABLE
    if _FULL.search(text) or code == 552:
        return RcptVerdict.FULL_INBOX
    if _DISABLED.search(text):
        return RcptVerdict.DISABLED
    if 400 <= code < 500:
        return RcptVerdict.GREYLISTED if _GREYLIST.search(text) else RcptVerdict.UNDETERMINED
    if _UNKNOWN_USER.search(text):
        return RcptVerdict.UNKNOWN_USER
    if _BLOCKED.search(text):
        return RcptVerdict.BLOCKED
    # A bare 550/551/553 "mailbox unavailable" is how most servers say "no such user".
    return RcptVerdict.UNKNOWN_USER if code in (550, 551, 553) else RcptVerdict.UNDETERMINED

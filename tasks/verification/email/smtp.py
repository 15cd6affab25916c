"""A minimal asyncio SMTP client for mailbox probes: EHLO, MAIL FROM, RCPT TO..., QUIT.

Nothing is ever sent: the conversation stops before DATA. Several RCPT TO in one transaction
let the catch-all probe (a random address) and the real address share one connection. The
exchange is reached through the outbound-call policy (`tasks.egress`): its name is resolved
once, a private address is refused, and the connection goes to the address that was checked.
Errors carry reply codes only, never the remote server's text.
"""

from __future__ import annotations

import asyncio
import contextlib

from tasks.egress import EgressPolicy, EgressRefused, HostUnresolvable
from tasks.verification.email.classify import reply_summary

# A reply longer than this many lines is not a mail server talking.
MAX_REPLY_LINES = 64


class SmtpUnavailable(Exception):
    """No conversation was possible: refused, timed out, or the server turned us away early."""


async def _read_reply(reader: asyncio.StreamReader) -> tuple[int, str]:
    """One (possibly multi-line) reply: `250-first`, ..., `250 last`."""
    lines: list[str] = []
    while True:
        raw = await reader.readline()
        if not raw:
            raise SmtpUnavailable("connection closed by the server")
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if len(line) < 3 or not line[:3].isdigit():
            raise SmtpUnavailable("not an SMTP reply")
        lines.append(line[4:])
        if len(lines) > MAX_REPLY_LINES:
            raise SmtpUnavailable("an endless SMTP reply")
        if len(line) == 3 or line[3] != "-":
            return int(line[:3]), " ".join(lines)


async def _command(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   line: str) -> tuple[int, str]:
    writer.write(line.encode("ascii", "strict") + b"\r\n")
    await writer.drain()
    return await _read_reply(reader)


async def probe_recipients(
    host: str,
    port: int,
    recipients: list[str],
    *,
    helo_name: str,
    from_address: str,
    timeout_seconds: float,
    policy: EgressPolicy,
) -> list[tuple[int, str]]:
    """The server's reply to RCPT TO for each recipient, in order, without sending mail.

    `timeout_seconds` bounds the whole conversation, the name lookup included.

    Raises:
        SmtpUnavailable: refused by the policy, no connection, a timeout, or a refused
            greeting / EHLO / MAIL FROM.
    """
    try:
        return await asyncio.wait_for(
            _converse(host, port, recipients, helo_name, from_address, policy), timeout_seconds
        )
    except EgressRefused as error:
        raise SmtpUnavailable(str(error)) from error
    except HostUnresolvable as error:
        raise SmtpUnavailable("the exchange does not resolve") from error
    except (OSError, TimeoutError, UnicodeEncodeError) as error:
        raise SmtpUnavailable(type(error).__name__) from error


async def _converse(host: str, port: int, recipients: list[str], helo_name: str,
                    from_address: str, policy: EgressPolicy) -> list[tuple[int, str]]:
    destination = await asyncio.to_thread(policy.destination, host, port)
    reader, writer = await asyncio.open_connection(destination.address, port)
    try:
        code, text = await _read_reply(reader)
        if code != 220:
            raise SmtpUnavailable(f"greeting {reply_summary(code, text)}")
        code, text = await _command(reader, writer, f"EHLO {helo_name}")
        if code != 250:
            code, text = await _command(reader, writer, f"HELO {helo_name}")
            if code != 250:
                raise SmtpUnavailable(f"HELO {reply_summary(code, text)}")
        code, text = await _command(reader, writer, f"MAIL FROM:<{from_address}>")
        if code != 250:
            raise SmtpUnavailable(f"MAIL FROM {reply_summary(code, text)}")
        replies = [await _command(reader, writer, f"RCPT TO:<{address}>")
                   for address in recipients]
        # The verdicts are in; a server that hangs up on QUIT changes nothing.
        with contextlib.suppress(SmtpUnavailable):
            await _command(reader, writer, "QUIT")
        return replies
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

"""A minimal asyncio SMTP client for mailbox probes: EHLO, MAIL FROM, RCPT TO..., QUIT.

Nothing is ever sent: the conversation stops before DATA. Several RCPT TO in one transaction
let the catch-all probe (a random address) and the real address share one connection.
"""

from __future__ import annotations

import asyncio
import contextlib


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
            raise SmtpUnavailable(f"not an SMTP reply: {line[:80]!r}")
        lines.append(line[4:])
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
) -> list[tuple[int, str]]:
    """The server's reply to RCPT TO for each recipient, in order, without sending mail.

    Raises:
        SmtpUnavailable: no connection, a timeout, or a refused greeting / EHLO / MAIL FROM.
    """
    try:
        return await asyncio.wait_for(
            _converse(host, port, recipients, helo_name, from_address), timeout_seconds
        )
    except (OSError, TimeoutError, UnicodeEncodeError) as error:
        raise SmtpUnavailable(f"{type(error).__name__}: {error}") from error


async def _converse(host: str, port: int, recipients: list[str], helo_name: str,
                    from_address: str) -> list[tuple[int, str]]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        code, text = await _read_reply(reader)
        if code != 220:
            raise SmtpUnavailable(f"greeting {code} {text}")
        code, text = await _command(reader, writer, f"EHLO {helo_name}")
        if code != 250:
            code, text = await _command(reader, writer, f"HELO {helo_name}")
            if code != 250:
                raise SmtpUnavailable(f"HELO {code} {text}")
        code, text = await _command(reader, writer, f"MAIL FROM:<{from_address}>")
        if code != 250:
            raise SmtpUnavailable(f"MAIL FROM {code} {text}")
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

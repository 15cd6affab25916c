"""Login throttling under parallel guesses and behind a reverse proxy, over real HTTP.

Each attempt counts as a failure before its password is checked, so guesses sent all at once,
even to two API processes on one database, are all counted and only the first ones reach
Argon2. The client IP is read from X-Forwarded-For only when the peer is a trusted proxy.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.tenant_helpers import start_module_instance
from tests.conftest import free_port
from tests.fixtures.servers import RunningLeadmill, start_in_thread

pytestmark = pytest.mark.sqlite_only("two API processes share one SQLite file")

PER_USERNAME, PER_IP = 3, 4
PROXY = "127.0.0.1"  # the trusted proxy; requests from 127.0.0.2 come straight from a client


@pytest.fixture(scope="module")
def apis(tmp_path_factory, prefect_server, sample_prospect_dir) -> Iterator[
        list[RunningLeadmill]]:
    first = start_module_instance(tmp_path_factory.mktemp("throttle"), sample_prospect_dir,
                                  login_failures_per_username=PER_USERNAME,
                                  login_failures_per_ip=PER_IP, trusted_proxies=f"{PROXY}/32",
                                  instance_name="throttle-one")
    second = start_in_thread(first.settings.model_copy(
        update={"api_port": free_port(), "instance_name": "throttle-two"}))
    yield [first, second]
    second.stop()
    first.stop()


def log_in(api: RunningLeadmill, username: str, password: str, local_address: str = PROXY,
           forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    with httpx.Client(base_url=api.base_url, timeout=60,
                      transport=httpx.HTTPTransport(local_address=local_address)) as http:
        return http.post("/api/auth", headers=headers,
                         json={"username": username, "password": password})


def unknown_user() -> str:
    return f"guess-{uuid.uuid4().hex[:8]}@example.com"


def test_wrong_passwords_sent_at_once_to_two_processes_are_all_counted(apis) -> None:
    username = apis[0].credentials["username"]
    # Each from an address of its own, so that only the username's limit applies.
    with ThreadPoolExecutor(10) as pool:
        replies = list(pool.map(lambda number: log_in(
            apis[number % 2], username, f"wrong-{number}", local_address=f"127.0.1.{number}"),
            range(10)))
    codes = sorted(reply.status_code for reply in replies)
    assert codes == [401] * PER_USERNAME + [429] * (10 - PER_USERNAME), codes
    # The next attempt, even with the right password, waits for the window.
    right = log_in(apis[1], username, apis[0].credentials["password"],
                   local_address="127.0.0.9")
    assert right.status_code == 429, right.text
    assert right.headers["X-RateLimit-Limit"] == str(PER_USERNAME)


def test_a_trusted_proxy_s_forwarded_address_is_the_client(apis) -> None:
    guesser = [log_in(apis[0], unknown_user(), "guess-123", forwarded_for="203.0.113.5")
               for _ in range(PER_IP)]
    assert {reply.status_code for reply in guesser} == {401}
    blocked = log_in(apis[0], unknown_user(), "guess-123", forwarded_for="203.0.113.5")
    assert blocked.status_code == 429 and blocked.headers["X-RateLimit-Limit"] == str(PER_IP)
    # A client can prepend anything: the proxy's own entry (the rightmost) is what counts.
    spoofed = log_in(apis[0], unknown_user(), "guess-123",
                     forwarded_for="198.51.100.77, 203.0.113.5")
    assert spoofed.status_code == 429
    # Another client behind the same proxy is not affected, and neither is the proxy itself.
    other = log_in(apis[0], unknown_user(), "guess-123", forwarded_for="203.0.113.6")
    assert other.status_code == 401, other.text


def test_forwarded_for_is_ignored_from_an_untrusted_peer(apis) -> None:
    replies = [log_in(apis[0], unknown_user(), "guess-123", local_address="127.0.0.2",
                      forwarded_for=f"203.0.113.{100 + number}") for number in range(PER_IP)]
    assert {reply.status_code for reply in replies} == {401}
    # A new made-up address each time does not help: the peer's own address is counted.
    blocked = log_in(apis[0], unknown_user(), "guess-123", local_address="127.0.0.2",
                     forwarded_for="203.0.113.250")
    assert blocked.status_code == 429, blocked.text

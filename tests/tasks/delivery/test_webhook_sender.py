"""The pieces of one webhook attempt: backoff with jitter, target checks after DNS, headers,
and the connection pinned to the address that passed the check."""

from __future__ import annotations

import random

import pytest

from storage.settings import LeadmillSettings
from tasks.delivery.webhook_format import js_json, sign_body
from tasks.delivery.webhook_sender import post_webhook, retry_delay, retry_schedule, signed_request
from tasks.egress import AllowList, EgressPolicy, EgressRefused, egress_client
from tests.fixtures.servers import start_receiver


@pytest.mark.parametrize("failures", [1, 2, 3, 4, 5])
def test_retry_delay_triples_with_a_fifth_of_jitter_either_way(failures):
    nominal = 60.0 * 3 ** (failures - 1)
    delays = [retry_delay(failures, 60.0, random.Random(seed)).total_seconds()
              for seed in range(50)]
    assert all(nominal * 0.8 <= delay <= nominal * 1.2 for delay in delays)
    assert len(set(delays)) > 1  # jittered, not one fixed schedule


def test_default_retry_schedule_spans_a_minute_to_about_two_hours():
    settings = LeadmillSettings(data_dir="unused")
    assert settings.webhook_retry_base_seconds == 60  # LEADMILL_WEBHOOK_RETRY_BASE_SECONDS
    schedule = retry_schedule(settings.webhook_retry_base_seconds)
    assert schedule == [60, 180, 540, 1620, 4860]  # five retries
    last_retry_after = sum(schedule)  # the first failure is at 0
    assert 110 * 60 <= last_retry_after <= 130 * 60
    # With the jitter at its extremes every retry still falls in a minute to about 2.5 hours,
    # and the next one is always later than the one before.
    for extreme in (0.8, 1.2):
        times = [sum(schedule[: n + 1]) * extreme for n in range(5)]
        assert 45 <= times[0] <= 75 and times[-1] <= 150 * 60
        assert times == sorted(times)
    low = [delay * 0.8 for delay in schedule]
    high = [delay * 1.2 for delay in schedule]
    assert all(low[n + 1] > high[n] for n in range(4))  # spacing grows whatever the jitter


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://[::1]/x", "http://169.254.169.254/",
                                 "http://localhost/x", "ftp://example.com/x",
                                 "http://user:pw@example.com/x", "http://2130706433/x"])
def test_literal_private_or_malformed_targets_are_refused_unsent(url):
    policy = EgressPolicy()
    with egress_client(policy) as client:
        outcome = post_webhook(client, url, b"{}", {}, 5.0, policy)
    assert outcome.error and outcome.status_code is None


def test_every_attempt_carries_the_event_id_and_a_signature_of_the_exact_body():
    payload = {"event": "lead_generation.failed", "data": {"n": 2.0}}
    body, headers = signed_request("evt_1", payload, "s3cret")
    assert body == js_json(payload).encode()
    assert headers["Uncodie-Event-Id"] == "evt_1"
    assert headers["Uncodie-Event"] == "lead_generation.failed"
    assert headers["Uncodie-Signature"] == sign_body(body, "s3cret")
    assert "Uncodie-Signature" not in signed_request("evt_1", payload, None)[1]


class RebindingResolver:
    """A DNS answer that changes between lookups, as a rebinding attacker's name server does:
    first an address the allow-list admits, then a private one."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.lookups = 0

    def addresses(self, host: str, timeout: float | None = None) -> list[str]:
        answer = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [answer]


def test_the_attempt_connects_to_the_address_that_passed_the_check_not_a_second_lookup():
    receiver = start_receiver()
    try:
        port = receiver.server.server_address[1]
        # `.test` never resolves in real DNS: the request can only arrive by the pinned address.
        url = f"http://hooks.rebind.test:{port}/hooks/leads"
        resolver = RebindingResolver(["127.0.0.1", "10.0.0.9"])
        policy = EgressPolicy(AllowList.parse("127.0.0.1"), resolver)
        body, headers = signed_request("evt_pin", {"event": "lead_generation.completed"}, "k")
        with egress_client(policy) as client:
            outcome = post_webhook(client, url, body, headers, 5.0, policy)
            assert outcome.succeeded, outcome.error
            assert resolver.lookups == 1
            assert receiver.requests[0]["headers"]["host"] == f"hooks.rebind.test:{port}"
            assert receiver.requests[0]["body"] == body
            # The next attempt looks up again and now gets a private address: refused, unsent.
            second = post_webhook(client, url, body, headers, 5.0, policy)
        assert not second.succeeded and "10.0.0.9" in second.error
        assert second.status_code is None and len(receiver.requests) == 1
    finally:
        receiver.server.shutdown()


def test_every_resolved_address_must_pass_not_only_the_first():
    class Mixed:
        def addresses(self, host: str, timeout: float | None = None) -> list[str]:
            return ["93.184.216.34", "192.168.1.5"]

    with pytest.raises(EgressRefused, match="192.168.1.5"):
        EgressPolicy(resolver=Mixed()).destination("hooks.example.com", 443)

"""The pieces of one webhook attempt: backoff with jitter, target checks after DNS, headers."""

from __future__ import annotations

import random
import socket

import pytest

from tasks.webhook_format import js_json, sign_body
from tasks.webhook_sender import resolved_target_problem, retry_delay, signed_request


@pytest.mark.parametrize("failures", [1, 2, 3, 4, 5])
def test_retry_delay_doubles_with_at_most_half_again_of_jitter(failures):
    base = 1.0 * 2 ** (failures - 1)
    delays = [retry_delay(failures, 1.0, random.Random(seed)).total_seconds()
              for seed in range(50)]
    assert all(base <= delay <= base * 1.5 for delay in delays)
    assert len(set(delays)) > 1  # jittered, not one fixed schedule


def test_a_host_name_resolving_to_a_private_address_is_refused_unless_allowed():
    host = socket.gethostname()
    try:
        address = socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)[0][4][0]
    except OSError:
        pytest.skip("this machine's name does not resolve")
    url = f"http://{host}:8080/hook"
    problem = resolved_target_problem(url, frozenset())
    if address.startswith(("127.", "10.", "192.168.", "172.")):
        assert problem and "private network" in problem
    assert resolved_target_problem(url, frozenset({host.lower()})) is None


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://[::1]/x", "http://169.254.169.254/",
                                 "http://localhost/x", "ftp://example.com/x",
                                 "http://user:pw@example.com/x"])
def test_literal_private_or_malformed_targets_are_refused(url):
    assert resolved_target_problem(url, frozenset()) is not None


def test_every_attempt_carries_the_event_id_and_a_signature_of_the_exact_body():
    payload = {"event": "lead_generation.failed", "data": {"n": 2.0}}
    body, headers = signed_request("evt_1", payload, "s3cret")
    assert body == js_json(payload).encode()
    assert headers["Uncodie-Event-Id"] == "evt_1"
    assert headers["Uncodie-Event"] == "lead_generation.failed"
    assert headers["Uncodie-Signature"] == sign_body(body, "s3cret")
    assert "Uncodie-Signature" not in signed_request("evt_1", payload, None)[1]

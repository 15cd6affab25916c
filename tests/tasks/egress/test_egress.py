"""The outbound-call policy, attacked the way a hostile tenant would: every spelling of a
private address, names that resolve inside (once, or after a first public answer), redirects
from an allowed host, MX records pointing inside, a receiver dripping its reply and one that
never stops. A real canary server on loopback must receive no connection at all, through any
outbound path (`tests/tasks/egress/test_egress_paths.py` runs the same matrix through each path)."""

from __future__ import annotations

import httpx
import pytest

from tasks.egress import AllowList, DnsResolver, EgressPolicy, EgressRefused, egress_client
from tasks.egress.addresses import parse_ip
from tests.fixtures.egress import (
    REFUSED_HOSTS,
    LoopbackServer,
    attack_dns,
    attack_policy,
    canary,
    start_dripper,
    start_flood,
)

__all__ = ["attack_dns", "canary"]  # fixtures

@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_every_spelling_of_a_private_address_is_refused_before_connecting(host, canary,
                                                                           attack_dns):
    url = f"http://{host}:{canary.port}/api/artifacts/filter"
    policy = attack_policy(attack_dns)
    assert policy.literal_problem(url) is not None
    with egress_client(policy) as client, pytest.raises(EgressRefused):
        client.post(url, json={})
    assert canary.connections == []


@pytest.mark.parametrize("spelling", ["2130706433", "0x7f000001", "017700000001", "127.1",
                                      "0x7f.0.0.1", "0177.0.0.01", "127.0.0.1."])
def test_non_canonical_ipv4_forms_read_as_the_address_a_socket_reaches(spelling):
    assert str(parse_ip(spelling)) == "127.0.0.1"


@pytest.mark.parametrize("address", ["100.64.0.1", "64:ff9b::a00:1", "2002:7f00:1::1",
                                     "::ffff:10.0.0.1", "0.0.0.0", "224.0.0.1", "fe80::1"])
def test_ranges_that_lead_back_inside_are_refused(address):
    with pytest.raises(EgressRefused):
        EgressPolicy().destination(address, 80)


def test_a_public_address_passes_without_any_lookup():
    destination = EgressPolicy().destination("93.184.216.34", 443)
    assert destination.address == "93.184.216.34"


def test_a_name_resolving_to_loopback_is_refused(canary, attack_dns):
    with egress_client(attack_policy(attack_dns)) as client, \
            pytest.raises(EgressRefused, match="127.0.0.1"):
        client.get(f"http://inside.evil.test:{canary.port}/")
    assert canary.connections == []


def test_one_private_answer_among_allowed_ones_refuses_the_name(canary, attack_dns):
    with egress_client(attack_policy(attack_dns)) as client, pytest.raises(EgressRefused):
        client.get(f"http://mixed.evil.test:{canary.port}/")
    assert canary.connections == []


def test_a_rebinding_name_is_looked_up_once_and_the_checked_address_is_the_one_called(
        canary, attack_dns):
    # First answer 127.0.0.2 (allowed, nothing listening), then 127.0.0.1 (the canary): a
    # second lookup at connect time would reach the canary.
    with egress_client(attack_policy(attack_dns)) as client, pytest.raises(httpx.ConnectError):
        client.get(f"http://rebind.evil.test:{canary.port}/")
    assert canary.connections == []
    assert attack_dns.queries.count(("rebind.evil.test", "A")) == 1


def test_the_request_keeps_the_host_name_while_connecting_to_the_checked_address(attack_dns):
    seen: list[bytes] = []

    def record(connection) -> None:
        seen.append(connection.recv(4096))
        connection.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")

    server = LoopbackServer(record)
    try:
        policy = EgressPolicy(AllowList.parse(f"127.0.0.1:{server.port}"),
                              DnsResolver([f"127.0.0.1:{attack_dns.port}"]))
        attack_dns.addresses["hooks.example.test"] = [["127.0.0.1"]]
        with egress_client(policy) as client:
            assert client.get(f"http://hooks.example.test:{server.port}/x").status_code == 204
    finally:
        server.stop()
    assert f"Host: hooks.example.test:{server.port}".encode() in seen[0]


def test_a_redirect_from_an_allowed_host_to_a_refused_one_is_not_followed(canary, attack_dns):
    from tests.fixtures.egress import start_redirector

    redirector = start_redirector(f"http://2130706433:{canary.port}/steal")
    try:
        policy = EgressPolicy(AllowList.parse(f"127.0.0.1:{redirector.port}"),
                              DnsResolver([f"127.0.0.1:{attack_dns.port}"]))
        with egress_client(policy, follow_redirects=True) as client, \
                pytest.raises(EgressRefused):
            client.get(f"{redirector.url}/start")
    finally:
        redirector.stop()
    assert redirector.connections and canary.connections == []


@pytest.mark.parametrize("entry", ["127.0.0.0/8", "127.0.0.1:{port}", "localhost:{port}",
                                   "[::ffff:127.0.0.1]:{port}"])
def test_the_allow_list_lets_hosts_cidrs_and_host_ports_through(entry, canary):
    policy = EgressPolicy(AllowList.parse(entry.format(port=canary.port)))
    host = "localhost" if entry.startswith("localhost") else "127.0.0.1"
    with egress_client(policy) as client:
        reply = client.get(f"http://{host}:{canary.port}/")
    assert reply.status_code == 200 and len(canary.connections) == 1


def test_a_host_port_entry_admits_that_port_only(canary):
    policy = EgressPolicy(AllowList.parse(f"127.0.0.1:{canary.port + 1}"))
    assert policy.literal_problem(f"http://127.0.0.1:{canary.port}/") is not None
    with egress_client(policy) as client, pytest.raises(EgressRefused):
        client.get(f"http://127.0.0.1:{canary.port}/")
    assert canary.connections == []


def test_a_dripping_reply_is_cut_at_the_total_deadline_of_the_attempt():
    dripper = start_dripper()
    try:
        policy = EgressPolicy(AllowList.parse("127.0.0.1"), deadline_seconds=2.0)
        # Each read alone would be well within a 30 s read timeout: only the total deadline
        # ends this attempt.
        with egress_client(policy, timeout=30.0) as client, \
                pytest.raises(httpx.ReadTimeout, match="total deadline"):
            client.get(dripper.url).raise_for_status()
    finally:
        dripper.stop()


def test_a_reply_over_the_size_cap_is_cut():
    flood = start_flood()
    try:
        policy = EgressPolicy(AllowList.parse("127.0.0.1"), max_reply_bytes=2_000_000)
        with egress_client(policy) as client, pytest.raises(httpx.ReadError, match="larger"):
            client.get(flood.url)
    finally:
        flood.stop()


@pytest.mark.parametrize("url", ["http://ⓛocalhost/x", "http://LOCALHOST./x",
                                 "http://[::ffff:7f00:1]/x", "http://0177.1/x"])
def test_unicode_and_other_spellings_of_this_machine_are_refused_when_saved(url):
    assert "refused by the outbound-call policy" in EgressPolicy().literal_problem(url)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "http://user:pw@example.com/x",
                                 "http:///x", "http://example.com:99999/"])
def test_malformed_destinations_are_refused_when_saved(url):
    assert EgressPolicy().literal_problem(url) is not None


def test_a_dns_name_is_left_to_call_time_when_saved():
    assert EgressPolicy().literal_problem("https://hooks.example.com/x") is None

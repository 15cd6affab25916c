"""The attack matrix through every outbound path Leadmill opens for a tenant: enrichment and
chat services, research providers, website analysis, research and checks, webhooks and SMTP.
Each path is called as production calls it, with the policy injected; the canary on loopback
must see no connection, and the path must report the refusal where it reports errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from tasks.delivery.webhook_sender import post_webhook
from tasks.egress import EgressPolicy, egress_client
from tasks.enrichment.processing import chat_completions_url, post_json
from tasks.research.provider_http import ProviderError, ProviderHttp
from tasks.research.website_analysis import analyze_website
from tasks.research.website_fetch import SiteFetcher
from tasks.verification.email import DnsMxResolver, EmailVerifier, VerifierOptions
from tasks.verification.email.smtp import SmtpUnavailable, probe_recipients
from tasks.verification.website_check import check_website
from tests.fixtures.egress import (
    REFUSED_HOSTS,
    attack_dns,
    attack_policy,
    canary,
    start_dripper,
    start_redirector,
)

__all__ = ["attack_dns", "canary"]  # fixtures

REFUSAL = "refused by the outbound-call policy"


def via_enrichment(policy: EgressPolicy, url: str) -> str:
    try:
        return f"answered {post_json(policy, url, {}, {'leadId': 'l1', 'lead': {}})}"
    except httpx.HTTPError as error:
        return f"{type(error).__name__}: {error}"


def via_chat(policy: EgressPolicy, url: str) -> str:
    return via_enrichment(policy, chat_completions_url(url))


def via_provider(policy: EgressPolicy, url: str) -> str:
    with ProviderHttp("apollo", url, policy=policy, attempts=1, timeout=2.0) as http:
        try:
            return f"answered {http.request('POST', '/api/v1/mixed_people/api_search').text}"
        except ProviderError as error:
            return str(error)


def via_website_analysis(policy: EgressPolicy, url: str) -> str:
    return f"profile {analyze_website(url, policy, timeout=2.0)}"


def via_website_research(policy: EgressPolicy, url: str) -> str:
    fetcher = SiteFetcher(policy=policy, min_interval=0.0, timeout=2.0)
    try:
        return f"page {fetcher.fetch(url)}"
    finally:
        fetcher.close()


def via_website_check(policy: EgressPolicy, url: str) -> str:
    return str(check_website(url, 2.0, policy).error)


def via_webhook(policy: EgressPolicy, url: str) -> str:
    with egress_client(policy) as client:
        return str(post_webhook(client, url, b"{}", {}, 2.0, policy).error)


def via_smtp(policy: EgressPolicy, url: str) -> str:
    parts = urlsplit(url)
    try:
        replies = asyncio.run(probe_recipients(
            parts.hostname or "", parts.port or 25, ["jane@acme.example.com"],
            helo_name="leadmill.localhost", from_address="verify@leadmill.localhost",
            timeout_seconds=2.0, policy=policy))
    except SmtpUnavailable as error:
        return str(error)
    return f"answered {replies}"


HTTP_PATHS: dict[str, Callable[[EgressPolicy, str], str]] = {
    "enrichment": via_enrichment, "chat": via_chat, "provider": via_provider,
    "website-analysis": via_website_analysis, "website-research": via_website_research,
    "website-check": via_website_check, "webhook": via_webhook}
PATHS = {**HTTP_PATHS, "smtp": via_smtp}
# Paths whose only answer is "nothing" (None): the canary is the whole assertion there.
SILENT = {"website-analysis", "website-research"}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("host", [*REFUSED_HOSTS, "inside.evil.test", "mixed.evil.test"])
def test_private_destinations_are_refused_on_every_path(path, host, canary, attack_dns):
    outcome = PATHS[path](attack_policy(attack_dns), f"http://{host}:{canary.port}/steal")
    assert canary.connections == []
    if path not in SILENT:
        assert REFUSAL in outcome, outcome
    assert "company A" not in outcome


@pytest.mark.parametrize("path", PATHS)
def test_a_rebinding_name_never_reaches_the_second_answer(path, canary, attack_dns):
    outcome = PATHS[path](attack_policy(attack_dns), f"http://rebind.evil.test:{canary.port}/x")
    assert canary.connections == [] and "company A" not in outcome
    # The one lookup answered 127.0.0.2 (allowed, nothing listening): the connection went
    # there, never to the second answer.
    assert attack_dns.queries.count(("rebind.evil.test", "A")) == 1


@pytest.mark.parametrize("path", HTTP_PATHS)
def test_a_redirect_from_an_allowed_host_to_the_canary_is_not_followed(path, canary,
                                                                       attack_dns):
    redirector = start_redirector(f"http://127.0.0.1:{canary.port}/steal")
    try:
        policy = attack_policy(attack_dns, allowed=f"127.0.0.1:{redirector.port}")
        outcome = HTTP_PATHS[path](policy, f"{redirector.url}/start")
    finally:
        redirector.stop()
    assert redirector.connections and canary.connections == []
    assert "company A" not in outcome


def test_an_mx_record_pointing_inside_is_refused(canary, attack_dns):
    nameservers = [f"127.0.0.1:{attack_dns.port}"]
    options = VerifierOptions(smtp_port=canary.port, nameservers=nameservers,
                              allowed_hosts=["127.0.0.2"], timeout_seconds=2.0)
    verifier = EmailVerifier(DnsMxResolver(2.0, nameservers), options)
    [check] = asyncio.run(verifier.verify_many(["jane@evil-mail.example.com"]))
    assert check.mx is not None and check.mx.records == ["mx.evil.test"]
    assert check.error and REFUSAL in check.error and check.is_reachable == "unknown"
    assert canary.connections == []


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "status-line"])
@pytest.mark.parametrize("path", ["enrichment", "provider", "website-check", "webhook"])
def test_a_dripping_receiver_is_cut_at_the_total_deadline(path, headers_too):
    dripper = start_dripper(headers_too=headers_too)
    try:
        policy = EgressPolicy.from_entries("127.0.0.1").with_deadline(2.0)
        outcome = HTTP_PATHS[path](policy, f"{dripper.url}/hook")
    finally:
        dripper.stop()
    assert "the total deadline of the attempt passed" in outcome

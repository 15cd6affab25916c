"""Website research against company sites served on loopback: a realistic one, and broken and
hostile ones (endless redirects, huge pages, wrong encodings, slow replies, robots.txt)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tasks.egress import EgressPolicy
from tasks.research.website_extract import deobfuscate_emails, extract_page
from tasks.research.website_fetch import SiteFetcher
from tasks.research.websites import people_from_site, read_company_site
from tasks.search.criteria import Prospect

Route = Callable[[], tuple[int, dict[str, str], bytes]]

HOME = """<html><head><title>Quillworks</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization",
 "name": "Quillworks", "founder": {"@type": "Person", "name": "Ada Quill",
 "jobTitle": "Founder & CEO", "sameAs": ["https://www.linkedin.com/in/adaquill"]}}</script>
</head><body><nav><a href="/about-us">About us</a> <a href="/our-team">Team</a>
<a href="/contact">Contact</a> <a href="https://elsewhere.test/x">Partner</a>
<a href="https://www.linkedin.com/company/quillworks">LinkedIn</a>
<a href="https://x.com/quillworks">X</a></nav>
<p>Quillworks builds workflow automation for mid-sized manufacturers.</p></body></html>"""
TEAM = """<html><body><h1>Our team</h1>
<div class="member"><h3>Zed Quill</h3><p>Chief Technology Officer</p>
<a href="https://linkedin.com/in/zedquill">Zed Quill</a></div>
<div class="member"><h3>Mara Lind</h3><p>VP of Operations</p></div>
<div><h3>Our Values</h3><p>We ship every week.</p></div></body></html>"""
CONTACT = """<html><body><p>Write to zed.quill [at] quillworks [dot] test or
<a href="mailto:mara.lind@quillworks.test">Mara</a>, info(at)quillworks(dot)test.</p>
<p>Call <a href="tel:+1-512-555-0142">+1 512 555 0142</a> or (512) 555-0199.</p></body></html>"""


def _page(body: str | bytes, status: int = 200, content_type: str = "text/html; charset=utf-8",
          **headers: str) -> Route:
    data = body.encode() if isinstance(body, str) else body
    return lambda: (status, {"Content-Type": content_type, **headers}, data)


def serve(routes: dict[str, Route]) -> tuple[str, ThreadingHTTPServer, list[str]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.path)
            status, headers, body = routes.get(self.path, _page("not found", 404))()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server, seen


@pytest.fixture
def sites() -> Iterator[Callable[[dict[str, Route]], tuple[str, list[str]]]]:
    started: list[ThreadingHTTPServer] = []

    def start(routes: dict[str, Route]) -> tuple[str, list[str]]:
        url, server, seen = serve(routes)
        started.append(server)
        return url, seen

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def _fetcher(**overrides: Any) -> SiteFetcher:
    values: dict[str, Any] = {"timeout": 1.0, "min_interval": 0.01, "max_bytes": 200_000,
                              "policy": EgressPolicy.from_entries("127.0.0.1")}
    values.update(overrides)
    return SiteFetcher(**values)


def _company(url: str) -> Prospect:
    return Prospect(prospect_id="c1", name="Someone Else", company="Quillworks", website=url,
                    industry="manufacturing", employee_count=120, company_size="51-200",
                    country="United States", country_code="US")


def test_a_company_site_yields_people_emails_phones_and_profiles(sites) -> None:
    url, seen = sites({"/": _page(HOME), "/our-team": _page(TEAM),
                       "/contact": _page(CONTACT), "/about-us": _page("<p>About Quillworks</p>"),
                       "/robots.txt": _page("User-agent: *\nDisallow: /careers\n",
                                            content_type="text/plain")})
    facts = read_company_site(_fetcher(), url + "/", "US")
    people = {p.name: p for p in people_from_site(_company(url), facts)}
    assert set(people) == {"Ada Quill", "Zed Quill", "Mara Lind"}
    assert people["Zed Quill"].title == "Chief Technology Officer"
    assert people["Zed Quill"].email == "zed.quill@quillworks.test"  # de-obfuscated
    assert people["Zed Quill"].linkedin == "https://linkedin.com/in/zedquill"
    assert people["Mara Lind"].email == "mara.lind@quillworks.test"
    assert people["Ada Quill"].linkedin == "https://www.linkedin.com/in/adaquill"
    assert "+15125550142" in facts.phones and "+15125550199" in facts.phones
    assert "https://x.com/quillworks" in facts.socials
    assert "info@quillworks.test" in facts.emails
    assert "workflow automation" in facts.text
    assert people["Zed Quill"].industry == "manufacturing"  # the company's own facts carried
    assert "/careers" not in seen  # robots.txt said no
    assert all("elsewhere" not in path for path in seen)


@pytest.mark.parametrize("text", [
    "jane [at] acme [dot] com", "jane(at)acme(dot)com", "jane at acme dot com",
    "jane {at} acme {dot} com",
])
def test_obfuscated_emails(text: str) -> None:
    assert deobfuscate_emails(f"Write to {text} today") == ["jane@acme.com"]


def test_endless_redirects_stop(sites) -> None:
    url, seen = sites({"/": _page("", 302, Location="/a"), "/a": _page("", 302, Location="/b"),
                       "/b": _page("", 302, Location="/a")})
    assert _fetcher(max_redirects=5).fetch(url + "/") is None
    assert len([p for p in seen if p != "/robots.txt"]) == 6


def test_redirects_off_the_site_are_not_followed(sites) -> None:
    other, other_seen = sites({"/": _page("elsewhere")})
    url, _ = sites({"/": _page("", 301, Location=other.replace("127.0.0.1", "localhost") + "/")})
    assert _fetcher().fetch(url + "/") is None
    assert other_seen == []


def test_huge_pages_are_cut_at_the_cap(sites) -> None:
    url, _ = sites({"/": _page("<p>" + "x" * 5_000_000 + "</p>")})
    page = _fetcher(max_bytes=100_000).fetch(url + "/")
    assert page is not None and page.truncated and len(page.text) <= 100_000


def test_wrong_encodings_are_decoded_without_failing(sites) -> None:
    latin = "<p>Zoë Brontë</p><p>Chief Executive Officer</p>".encode("latin-1")
    url, _ = sites({"/": _page(latin, content_type="text/html; charset=utf-8"),
                    "/team": _page(latin, content_type="text/html; charset=x-unknown")})
    fetcher = _fetcher()
    assert fetcher.fetch(url + "/") is not None
    assert fetcher.fetch(url + "/team") is not None


def test_slow_sites_time_out(sites) -> None:
    def slow() -> tuple[int, dict[str, str], bytes]:
        time.sleep(3)
        return 200, {"Content-Type": "text/html"}, b"late"

    url, _ = sites({"/": slow, "/robots.txt": _page("", 404)})
    assert _fetcher(timeout=0.5).fetch(url + "/") is None


def test_broken_html_and_json_ld_do_not_break_extraction() -> None:
    html = ('<script type="application/ld+json">{not json</script><div><h3>Ann Lee<p>'
            'Head of IT</div></td></table><a href="mailto:ann.lee@x.test">mail')
    facts = extract_page(html)
    assert facts.emails == ["ann.lee@x.test"]
    assert [p["name"] for p in facts.people] == ["Ann Lee"]


def test_private_hosts_are_refused_unless_allowed(sites) -> None:
    url, seen = sites({"/": _page(HOME)})
    assert SiteFetcher(min_interval=0.01).fetch(url + "/") is None
    assert seen == []


def test_json_ld_graphs_list_people() -> None:
    graph = {"@graph": [{"@type": "Organization", "employee": [
        {"@type": "Person", "name": "Kai Berg", "jobTitle": "CTO", "email": "mailto:kai@b.test"}]}]}
    html = f'<script type="application/ld+json">{json.dumps(graph)}</script>'
    assert extract_page(html).people[0] == {"name": "Kai Berg", "title": "CTO",
                                            "email": "kai@b.test", "phone": None,
                                            "linkedin": None}

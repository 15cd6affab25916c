"""Website checks against real HTTP and HTTPS servers on loopback."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tasks.egress import EgressPolicy
from tasks.verification.website_check import check_website, check_websites

LOOPBACK = EgressPolicy.from_entries("127.0.0.1")
PAGES = {
    "/": (200, "<html><title>Acme</title>Industrial automation since 1990.</html>"),
    "/parked": (200, "<html>This domain is for sale! Make an offer on this domain.</html>"),
    "/gone": (404, "not found"),
    "/broken": (500, "oops"),
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.startswith("/hop/"):
            hops = int(self.path.rsplit("/", 1)[1])
            self.send_response(301)
            self.send_header("Location", "/" if hops <= 1 else f"/hop/{hops - 1}")
            self.end_headers()
            return
        status, body = PAGES.get(self.path, (404, "no"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _serve(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_site() -> Iterator[str]:
    yield from _serve(ThreadingHTTPServer(("127.0.0.1", 0), _Site))


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def https_site(tmp_path: Path) -> Iterator[str]:
    cert, key = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    yield from _serve(server)


def test_a_live_site_is_reachable(http_site: str) -> None:
    check = check_website(f"http://{http_site}/", policy=LOOPBACK)
    assert (check.reachable, check.status_code, check.redirects, check.parked) == (
        True, 200, 0, False)


def test_redirects_are_followed_and_counted(http_site: str) -> None:
    check = check_website(f"{http_site}/hop/3", policy=LOOPBACK)  # no scheme: http
    assert check.reachable and check.redirects == 3
    assert check.final_url == f"http://{http_site}/"


def test_a_redirect_loop_is_unreachable(http_site: str) -> None:
    check = check_website(f"http://{http_site}/hop/9", policy=LOOPBACK)
    assert not check.reachable and "redirects" in check.error


@pytest.mark.parametrize("path, status", [("/gone", 404), ("/broken", 500)])
def test_error_pages_are_unreachable(http_site: str, path: str, status: int) -> None:
    check = check_website(f"http://{http_site}{path}", policy=LOOPBACK)
    assert (check.reachable, check.status_code) == (False, status)


def test_a_parked_domain_is_flagged(http_site: str) -> None:
    check = check_website(f"http://{http_site}/parked", policy=LOOPBACK)
    assert check.reachable and check.parked


def test_a_self_signed_certificate_is_a_tls_error_on_a_live_site(https_site: str) -> None:
    check = check_website(f"https://{https_site}/", policy=LOOPBACK)
    assert check.tls_error and "certificate" in check.tls_error.lower()
    assert check.reachable and check.status_code == 200


def test_a_closed_port_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check = check_website(f"http://127.0.0.1:{port}/", timeout=2, policy=LOOPBACK)
    assert not check.reachable and check.error.startswith("ConnectError")


def test_loopback_hosts_are_refused_unless_allowed(http_site: str) -> None:
    check = check_website(f"http://{http_site}/")
    assert not check.reachable and check.error.startswith("refused")


def test_each_distinct_site_is_checked_once(http_site: str) -> None:
    urls = [f"http://{http_site}/", f"http://{http_site}/", f"http://{http_site}/parked", ""]
    checks = check_websites(urls, policy=LOOPBACK)
    assert sorted(checks) == [f"http://{http_site}/", f"http://{http_site}/parked"]


def test_verification_carries_the_website_check_and_a_note(http_site: str) -> None:
    from tasks.search.criteria import Prospect
    from tasks.verification.contacts import WebsiteCheckOptions, verify_prospects

    prospects = [Prospect(prospect_id=str(at), name="Jane Smith", company="Acme",
                          email="jane@acme.example.com", website=website)
                 for at, website in enumerate((f"http://{http_site}/",
                                               f"http://{http_site}/parked", None))]
    live, parked, none = verify_prospects.fn(prospects, None,
                                             WebsiteCheckOptions(allowed_hosts={"127.0.0.1"}))
    assert live.website_check["reachable"] and not live.website_check["parked"]
    assert parked.website_check["parked"] and "website is a parked domain" in parked.notes
    assert none.website_check is None
    assert live.verified == parked.verified  # informs, never decides `verified`

"""What a company's pages say: people, e-mails, phones, social profiles, text (pure).

- People: schema.org `Person` in JSON-LD (also as an Organization's employee/founder/member,
  and inside `@graph`), and on team pages a name-like line followed by a title-like line.
- E-mails: `mailto:` links, plain addresses, and obfuscated forms (`jane [at] acme [dot] com`,
  `jane(at)acme(dot)com`, `jane at acme dot com`).
- Phones: `tel:` links and numbers in the text, via phonenumbers, as E.164.
- Social profiles: links to LinkedIn, X/Twitter, Facebook, Instagram, YouTube, GitHub.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import phonenumbers

from storage.leads.domains import registrable_domain

_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span", "strong", "b",
               "td", "dd", "dt", "figcaption", "em", "small", "a", "br", "section", "article"}
# Every pattern over page text runs in linear time: a 20,000-character run of address
# characters cost 8.5 s with unbounded `[...]+@` (each start scanned to the end, quadratic).
# An address starts where a run of its characters starts (the look-behind: one attempt per
# run, not per character) and its parts are bounded by RFC 5321's lengths (local part 64,
# domain 253, label 63), so no attempt scans further than an address can be long. The same
# bounds hold for the obfuscated forms, whose separators allow at most a few spaces.
_LOCAL = "[A-Za-z0-9._%+-]"
_EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}{{1,64}}@[A-Za-z0-9.-]{{1,253}}\.[A-Za-z]{{2,63}}")
_GAP = r"\s{0,3}"


def _spelled(word: str) -> str:
    """` [word] `, `(word)`, `{word}` or ` word ` between two parts of an address."""
    inner = f"{_GAP}{word}{_GAP}"
    return (rf"{_GAP}(?:\[{inner}\]|\({inner}\)|\{{{inner}\}}|\s{{1,3}}{word}\s{{1,3}})"
            rf"{_GAP}")


_OBFUSCATED = re.compile(
    rf"(?<!{_LOCAL})({_LOCAL}{{1,64}}){_spelled('at')}"
    rf"([A-Za-z0-9-]{{1,63}}(?:{_spelled('dot')}[A-Za-z0-9-]{{1,63}}){{1,8}})"
    rf"(?![A-Za-z0-9-])", re.IGNORECASE)
_DOT = re.compile(_spelled("dot"), re.IGNORECASE)
_SOCIAL = re.compile(r"https?://(?:[a-z]+\.)?(linkedin\.com/(?:in|company)/|twitter\.com/|"
                     r"x\.com/|facebook\.com/|instagram\.com/|youtube\.com/|github\.com/)", re.I)
_NAME = re.compile(r"^[A-Z][A-Za-z'\u00C0-\u024F-]+(?:\s+[A-Z][A-Za-z'.\u00C0-\u024F-]+){1,3}$")
_TITLE_WORDS = re.compile(
    r"\b(CEO|CTO|CFO|COO|CIO|CMO|Chief|Director|Head|VP|Vice President|Manager|Founder|"
    r"Co-Founder|President|Officer|Engineer|Lead|Partner|Owner|Principal|Controller|"
    r"Supervisor|Coordinator|Specialist|Analyst|Consultant|Architect)\b", re.I)


@dataclass
class PageFacts:
    people: list[dict[str, Any]] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    socials: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.json_ld: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._script_ld = False
        self._href: str | None = None
        self._anchor: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in {"script", "style", "noscript", "template"}:
            self._skip += 1
            self._script_ld = tag == "script" and "ld+json" in values.get("type", "").lower()
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "a":
            self._href, self._anchor = values.get("href", ""), []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "noscript", "template"}:
            self._skip = max(0, self._skip - 1)
            self._script_ld = False
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._anchor).split())))
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._script_ld:
                self.json_ld.append(data)
            return
        self._current.append(data)
        if self._href is not None:
            self._anchor.append(data)


def _ld_people(node: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(node, list):
        for item in node:
            _ld_people(item, found)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "Person" in kinds and isinstance(node.get("name"), str):
        same_as = node.get("sameAs") or []
        same_as = [same_as] if isinstance(same_as, str) else same_as
        found.append({"name": node["name"].strip(), "title": node.get("jobTitle"),
                      "email": str(node.get("email") or "").removeprefix("mailto:") or None,
                      "phone": node.get("telephone"),
                      "linkedin": next((s for s in same_as if "linkedin.com/in/" in str(s)),
                                       None)})
    for key in ("@graph", "employee", "employees", "founder", "founders", "member", "members",
                "contactPoint", "author"):
        if key in node:
            _ld_people(node[key], found)


def deobfuscate_emails(text: str) -> list[str]:
    found = []
    for user, domain in _OBFUSCATED.findall(text):
        address = f"{user}@{_DOT.sub('.', domain)}".lower()
        if _EMAIL.fullmatch(address):
            found.append(address)
    return found


def _phones(candidates: list[str], text: str, region: str) -> list[str]:
    numbers = []
    for raw in candidates:
        try:
            parsed = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            numbers.append(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    for match in phonenumbers.PhoneNumberMatcher(text[:50_000], region):
        numbers.append(phonenumbers.format_number(match.number,
                                                  phonenumbers.PhoneNumberFormat.E164))
    return list(dict.fromkeys(numbers))


def extract_page(html: str, region: str = "US") -> PageFacts:
    """Everything useful on one page."""
    reader = _Reader()
    try:
        reader.feed(html)
        # What `feed` left over starts with a tag, comment or declaration the page never
        # finished. `close()` of Python 3.11.7 (ours) rescans such a tail to its end once per
        # `<` in it (CVE-2025-6069): 40,000 characters of `<a href='x' ` took 5.8 s, 1 MB
        # would take about an hour. HTML5 (and patched Pythons) drop a tag cut off by the end
        # of the file, so drop it here.
        if reader.rawdata.startswith("<"):
            reader.rawdata = ""
        reader.close()
    except Exception:  # noqa: BLE001 - broken HTML: keep what was read before the break
        pass
    reader._flush()
    if reader._href is not None:  # an <a> left open at the end of a broken page
        reader.links.append((reader._href, " ".join("".join(reader._anchor).split())))
    facts = PageFacts(links=reader.links, text=" ".join(reader.blocks)[:20_000])
    people: list[dict[str, Any]] = []
    for blob in reader.json_ld:
        try:
            _ld_people(json.loads(blob), people)
        except (ValueError, RecursionError):  # not JSON, or nested past any real document
            continue
    blocks = reader.blocks
    for first, second in zip(blocks, blocks[1:], strict=False):
        if (_NAME.match(first) and not _TITLE_WORDS.search(first) and len(second) <= 80
                and _TITLE_WORDS.search(second)):
            people.append({"name": first, "title": second})
    hrefs = [href for href, _ in reader.links]
    emails = [h[7:].split("?")[0] for h in hrefs if h.lower().startswith("mailto:")]
    emails += _EMAIL.findall(facts.text) + deobfuscate_emails(facts.text)
    facts.emails = list(dict.fromkeys(e.lower() for e in emails if _EMAIL.fullmatch(e)))
    tel = [h[4:] for h in hrefs if h.lower().startswith("tel:")]
    facts.phones = _phones(tel, facts.text, region or "US")
    facts.socials = list(dict.fromkeys(h for h in hrefs if _SOCIAL.match(h)))
    by_anchor = {text: href for href, text in reader.links if "linkedin.com/in/" in href}
    for person in people:
        person.setdefault("linkedin", None)
        person["linkedin"] = person["linkedin"] or by_anchor.get(person["name"])
    facts.people = list({p["name"]: p for p in reversed(people)}.values())[::-1]
    return facts


def email_for(name: str, emails: list[str], domain: str) -> str | None:
    """The address among `emails` that belongs to `name` (jane.smith@, jsmith@, jane@ ...)."""
    parts = [p.lower() for p in re.findall(r"[A-Za-z]+", name)]
    if len(parts) < 2:
        return None
    first, last = parts[0], parts[-1]
    locals_ = {f"{first}.{last}", f"{first}{last}", f"{first[0]}{last}", f"{first[0]}.{last}",
               first, f"{first}_{last}", f"{first}-{last}"}
    # An address on the company's own pages whose local part is the person's name is theirs;
    # one at the site's own registrable domain is preferred (`notacme.com` is not `acme.com`).
    mine = [e for e in emails if e.partition("@")[0] in locals_]
    own = registrable_domain(domain)
    return next((e for e in mine if own and registrable_domain(e) == own),
                mine[0] if mine else None)

"""`paperfeed digest`: sent to a real SMTP server on 127.0.0.1 and read back as a mail client would."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from lxml import html

from generator.build import build
from generator.cli import main
from generator.mathtext import readable_tex
from generator.record import RecordContext, parse_record
from generator.views import paper_byline
from tests.conftest import make_site, record

BASE_URL = "https://example.org/papers/"  # a sub-path, as on GitHub Pages
UNSUBSCRIBE = "https://example.org/unsubscribe"
RECORDS = [
    record("2512.00001", title="Linear attention in $\\mathcal{O}(n)$", upvotes=5,
           abstract="We index $x_i$ with cost $\\mathcal{O}(n^2 \\cdot d)$.\n\n$$E = mc^2$$",
           authors=["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra"],
           links={"code": "https://github.com/a/b"}),
    record("2512.00002", title="Most upvoted & best", upvotes=42, organization="Tencent"),
    record("2512.00003", title="Tied with the next, lower id first", upvotes=5, author_count=3),
    record("hep-th/9711200", title="Old style id", upvotes=0),
    record("2512.00009", title="Another day", date="2025-12-05", upvotes=100),
]
RANKED_TITLES = ["Most upvoted & best", "Linear attention in 𝒪(n)", "Tied with the next, lower id first",
                 "Old style id"]


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Inbox, int]) -> Path:
    _, port = smtp
    config = {"title": "Test Papers", "base_url": BASE_URL, "email": {
        "smtp_host": "127.0.0.1", "smtp_port": port, "tls": "none", "sender": "papers@example.org",
        "recipients": ["ada@example.org", "alan@example.org"], "unsubscribe": UNSUBSCRIBE}}
    path = make_site(tmp_path_factory.mktemp("digest") / "site", records=RECORDS, config=config,
                     files={"content/2025/12/08/_day.yaml": "complete: true\n"})  # mailed when complete
    build(path, environ={})
    return path


def paperfeed(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def received(site: Path, smtp: tuple[Inbox, int]) -> list[EmailMessage]:
    inbox, _ = smtp
    code, output = paperfeed("digest", "--site", str(site), "--day", "2025-12-08", "--send")
    assert code == 0, output
    assert output == "sent 'Test Papers: December 8, 2025 (4 papers)' to 2 recipients\n"
    return [email.message_from_bytes(e.content, policy=email.policy.default) for e in inbox.envelopes]


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    page = message.get_body(preferencelist=("html",)).get_content()
    return text, page


def test_one_multipart_alternative_message_per_recipient(received: list[EmailMessage]) -> None:
    assert [m["To"] for m in received] == ["ada@example.org", "alan@example.org"]
    for message in received:
        assert message.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
        assert message["From"] == "papers@example.org"
        assert message["Subject"] == "Test Papers: December 8, 2025 (4 papers)"
        assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"] and message["Date"]
    assert received[0]["Message-ID"] != received[1]["Message-ID"]


def test_titles_in_rank_order(received: list[EmailMessage]) -> None:
    text, page = parts(received[0])
    doc = html.fromstring(page)
    assert [h.text_content().strip() for h in doc.xpath("//h2")] == RANKED_TITLES
    positions = [text.index(f". {title} (▲") for title in RANKED_TITLES]
    assert positions == sorted(positions)
    assert "Another day" not in text and "Another day" not in page


def test_bylines_are_the_sites_with_the_organisation_after_them(site: Path, received: list[EmailMessage]) -> None:
    text, _ = parts(received[0])
    lines = text.splitlines()
    bylines = [lines[n + 1].strip() for n, line in enumerate(lines) if line.endswith(")") and "(▲ " in line]
    # the old-style paper has neither authors nor an organisation: its teaser follows the title
    assert bylines == ["Tencent", "Ada Lovelace, Alan Turing, Grace Hopper +1", "3 authors", "An abstract."]
    card = html.fromstring((site / "public" / "index.html").read_bytes())
    shown = [" ".join(b.text_content().split()) for b in card.cssselect(".card .byline")]
    assert any(line.startswith("Ada Lovelace, Alan Turing, Grace Hopper +1") for line in shown), shown
    two, _ = parse_record(record(organization="Tencent", authors=["Ada Lovelace", "Alan Turing"]), None,
                          "content/x.yaml", RecordContext())
    assert two is not None
    assert paper_byline(two, with_organization=True) == "Ada Lovelace, Alan Turing · Tencent"
    assert paper_byline(two) == "Ada Lovelace, Alan Turing"


def test_no_raw_tex_anywhere(received: list[EmailMessage]) -> None:
    text, page = parts(received[0])
    visible = html.fromstring(page).text_content()
    for shown in (text, visible):
        assert not re.search(r"\$[^$\s][^$]*\$", shown), shown
        assert "\\mathcal" not in shown
        assert "𝒪(n² · d)" in shown and "xᵢ" in shown


def test_links_are_absolute_and_resolve_to_built_pages(site: Path, received: list[EmailMessage]) -> None:
    text, page = parts(received[0])
    hrefs = html.fromstring(page).xpath("//a/@href")
    site_links = {h for h in hrefs if h.startswith(BASE_URL)}
    site_links |= {u for u in re.findall(r"https?://\S+", text) if u.startswith(BASE_URL)}
    assert {f"{BASE_URL}papers/2512.00001/", f"{BASE_URL}papers/hep-th-9711200/",
            f"{BASE_URL}days/2025-12-08/", BASE_URL} <= site_links
    for href in hrefs:
        assert urlsplit(href).scheme in ("https", "http", "mailto"), href
    for link in site_links:
        rel = link[len(BASE_URL):]
        assert (site / "public" / rel / "index.html").is_file(), link
    assert "https://github.com/a/b" in hrefs


def test_html_is_email_safe(received: list[EmailMessage]) -> None:
    _, page = parts(received[0])
    doc = html.fromstring(page)
    assert not doc.xpath("//script | //link[@rel='stylesheet'] | //math | //img")
    assert doc.xpath("//table[@role='presentation']")
    assert doc.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]
    # Every cell that sets a text colour sits in a table with an explicit background.
    for cell in doc.xpath("//td[contains(@style, 'color:')]"):
        table = cell.xpath("ancestor::table[1]")[0]
        assert "background-color" in table.get("style", "") or table.get("bgcolor"), html.tostring(cell)[:80]


def test_out_writes_html_text_and_eml_deterministically(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = paperfeed("digest", "--site", str(site), "--week", "2025-W50", "--out", str(out))
    assert code == 0, output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["digest-2025-W50.eml", "digest-2025-W50.html", "digest-2025-W50.txt"]
    first = {name: (out / name).read_bytes() for name in names}
    paperfeed("digest", "--site", str(site), "--week", "2025-W50", "--out", str(out))
    assert {name: (out / name).read_bytes() for name in names} == first
    message = email.message_from_bytes(first["digest-2025-W50.eml"], policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Test Papers: Week 50, 2025 (4 papers)"
    assert b"Another day" not in first["digest-2025-W50.txt"]  # 2025-12-05 is in week 49


def test_text_preview_and_errors(site: Path) -> None:
    code, output = paperfeed("digest", "--site", str(site))
    assert code == 0 and output.startswith("Daily Papers: December 8, 2025\n")
    assert paperfeed("digest", "--site", str(site), "--day", "2025-12-07") == (
        1, "Error: no papers featured in 2025-12-07; the latest is 2025-12-08\n")
    assert paperfeed("digest", "--site", str(site), "--week", "2025-50")[0] == 1
    assert paperfeed("digest", "--site", str(site), "--day", "2025-12-08", "--week", "2025-W50")[0] == 2


def test_send_needs_settings_and_the_password_from_the_environment(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records=RECORDS, config={
        "title": "T", "email": {"tls": "starttls", "username": "bot", "password_env": "DIGEST_PW"}})
    code, output = paperfeed("digest", "--site", str(site), "--send", env={"DIGEST_PW": ""})
    assert code == 1
    assert output.splitlines()[:4] == [
        "paperfeed.yaml: email.password_env: the SMTP password is read from the environment variable "
        "DIGEST_PW, which is not set",
        "paperfeed.yaml: email.recipients: required to send the digest (a list of addresses)",
        "paperfeed.yaml: email.sender: required to send the digest (the From: address)",
        "paperfeed.yaml: email.smtp_host: required to send the digest (the SMTP server's host name)",
    ]
    bad = make_site(tmp_path / "bad", records=RECORDS, config={"title": "T", "email": {"tls": "tls"}})
    code, output = paperfeed("digest", "--site", str(bad))
    assert code == 1 and "email.tls: expected one of starttls, ssl, none, got 'tls'" in output


def test_readable_tex() -> None:
    assert readable_tex(r"\mathcal{O}(n^2 \cdot d)") == "𝒪(n² · d)"
    assert readable_tex(r"QK^T/\sqrt{d_k}") == "QKᵀ/√(dₖ)"
    assert readable_tex(r"10^{-3}") == "10⁻³"
    assert readable_tex(r"e^{i\pi}") == "e^(iπ)"

"""The digest's headers: a well-formed List-Unsubscribe, and no header injection from settings.

Sent to a real SMTP server on 127.0.0.1; a bad setting must be refused before the first
recipient is mailed.
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from generator.build import load_site
from generator.cli import main
from generator.config import EmailConfig
from generator.digest import build_digest, render_digest, select_period
from generator.errors import BuildError, ContentError
from generator.indexes import build_index
from generator.mailer import send_digest
from generator.themes import make_environment
from tests.conftest import make_site, record

RECORDS = [record("2512.00001", upvotes=5), record("2512.00002", upvotes=7)]


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    async def handle_RCPT(self, server: object, session: object, envelope: object,  # noqa: N802
                          address: str, options: list[str]) -> str:
        if address.startswith("refused@"):
            return "550 No such user"
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture()
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def paperfeed(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def site_with(tmp_path: Path, port: int, title: str = "Test Papers", **email_settings: object) -> Path:
    settings = {"smtp_host": "127.0.0.1", "smtp_port": port, "tls": "none",
                "sender": "Daily Papers <papers@example.org>",
                "recipients": ["ada@example.org", "alan@example.org"], **email_settings}
    return make_site(tmp_path / "site", records=RECORDS, config={"title": title, "email": settings},
                     files={"content/2025/12/08/_day.yaml": "complete: true\n"})  # mailed when complete


def messages(inbox: Inbox) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.content, policy=email.policy.default) for e in inbox.envelopes]


def test_default_list_unsubscribe_is_a_mailto_of_the_bare_address(tmp_path: Path,
                                                                  smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    site = site_with(tmp_path, port)
    code, output = paperfeed("digest", "--site", str(site), "--send")
    assert code == 0, output
    received = messages(inbox)
    assert len(received) == 2
    for message in received:
        assert message["From"] == "Daily Papers <papers@example.org>"
        assert message["List-Unsubscribe"] == "<mailto:papers@example.org?subject=unsubscribe>"
        assert message["List-Unsubscribe-Post"] is None  # one-click needs https
        assert message["Message-ID"].endswith("@example.org>") and ">>" not in message["Message-ID"]


def test_mailto_address_is_url_encoded(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", records=RECORDS, config={
        "email": {"sender": '"Papers, the list" <a+b%c@example.org>'}})
    config, papers = load_site(site)
    digest = build_digest(config, select_period(build_index(papers, config)))
    assert digest.unsubscribe_url == "mailto:a%2Bb%25c@example.org?subject=unsubscribe"


@pytest.mark.parametrize(("settings", "problem"), [
    ({"recipients": ["ada@example.org", "alan@example.org\r\nBcc: eve@example.org"]},
     "email.recipients: expected one email address like papers@example.org or "
     "'Daily Papers <papers@example.org>', got 'alan@example.org\\r\\nBcc: eve@example.org'"),
    ({"sender": "papers@example.org\nBcc: eve@example.org"},
     "email.sender: expected one email address"),
    ({"recipients": ["ada@example.org, eve@example.org"]}, "email.recipients: expected one email address"),
    ({"unsubscribe": "https://example.org/u\r\nBcc: eve@example.org"},
     "email.unsubscribe: expected an https:// URL or a mailto: address without spaces"),
    ({"unsubscribe": "https://example.org/u> <https://evil.example"}, "email.unsubscribe: expected"),
    ({"username": "bot\r\nRSET"}, "email.username: expected one line without control characters"),
    ({"smtp_host": "127.0.0.1\r\n"  "x"}, "email.smtp_host: expected a host name"),
    ({"password_env": "A\nB"}, "email.password_env: expected an environment variable name"),
    ({"smtp_port": 70000}, "email.smtp_port: expected a port number from 1 to 65535, got 70000"),
])
def test_bad_email_settings_are_refused_when_read(tmp_path: Path, smtp: tuple[Inbox, int],
                                                  settings: dict[str, object], problem: str) -> None:
    inbox, port = smtp
    site = site_with(tmp_path, port, **settings)
    for args in (["--send"], ["--out", str(tmp_path / "out")], []):
        code, output = paperfeed("digest", "--site", str(site), *args)
        assert code == 1, output
        assert problem in output, output
        assert output.endswith("nothing was written.\n")
    assert inbox.envelopes == []
    assert not (tmp_path / "out").exists()


def test_a_line_break_in_the_title_sends_nothing(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    site = site_with(tmp_path, port, title="Test\r\nBcc: eve@example.org")
    code, output = paperfeed("digest", "--site", str(site), "--send")
    assert (code, output) == (1, "paperfeed.yaml: title: the site title is the digest's subject and cannot "
                                 "hold line breaks or control characters, got 'Test\\r\\nBcc: eve@example.org'\n"
                                 "Error: 1 problem in 1 file; nothing was written.\n")
    code, output = paperfeed("digest", "--site", str(site), "--out", str(tmp_path / "out"))
    assert code == 1 and "title: the site title is the digest's subject" in output
    assert inbox.envelopes == [] and not (tmp_path / "out").exists()


def prepared(site: Path) -> tuple[object, str, str]:
    config, papers = load_site(site)
    digest = build_digest(config, select_period(build_index(papers, config)))
    html, text = render_digest(digest, make_environment(config.site_dir, config.theme))
    return digest, html, text


def test_settings_made_in_code_are_checked_before_anything_is_sent(tmp_path: Path,
                                                                   smtp: tuple[Inbox, int]) -> None:
    """A config built in code never met load_config's checks; the mailer checks again."""
    inbox, port = smtp
    digest, html, text = prepared(site_with(tmp_path, port))
    settings = EmailConfig(smtp_host="127.0.0.1", smtp_port=port, tls="none", sender="papers@example.org",
                           recipients=("ada@example.org", "alan@example.org\r\nBcc: eve@example.org"))
    with pytest.raises(ContentError, match=r"email.recipients: expected one email address"):
        send_digest(digest, html, text, settings, {})  # type: ignore[arg-type]
    assert inbox.envelopes == []


@pytest.mark.slow
def test_a_refusal_half_way_says_whom_it_reached(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    site = site_with(tmp_path, port, recipients=["ada@example.org", "refused@example.org", "alan@example.org"])
    code, output = paperfeed("digest", "--site", str(site), "--send")
    assert code == 1
    assert output.startswith(f"Error: could not send the digest via 127.0.0.1:{port}: ")
    assert output.endswith("; sent to 1 of 3 recipients before it failed (ada@example.org)\n")
    assert len(inbox.envelopes) == 1
    with pytest.raises(BuildError):
        digest, html, text = prepared(site)
        config, _ = load_site(site)
        send_digest(digest, html, text, config.email, {})  # type: ignore[arg-type]

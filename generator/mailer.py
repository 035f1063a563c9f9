"""The digest as an email: a multipart/alternative message, sent over SMTP or saved to files.

SMTP settings come from paperfeed.yaml's `email:` section; the password only
ever from the environment variable it names (`password_env`), never from the
file, so the config can be committed. One message per recipient: nobody sees
the other addresses, and each gets a List-Unsubscribe header (RFC 2369; with an
https target also one-click, RFC 8058).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import CONFIG_NAME, EmailConfig
from generator.digest import Digest
from generator.errors import BuildError, ContentError, Problem, SourceLocation
from generator.writer import write_atomic

TLS_MODES = ("starttls", "ssl", "none")
SMTP_TIMEOUT = 30


def digest_message(digest: Digest, html: str, text: str, sender: str, recipient: str,
                   date: dt.datetime, message_id: str) -> EmailMessage:
    """A text + HTML alternative message with list headers; deterministic given its arguments."""
    message = EmailMessage()
    message["Subject"] = digest.subject
    message["From"] = sender or f"{digest.site_title} <noreply@{_host(digest.site_url)}>"
    if recipient:
        message["To"] = recipient
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["List-Id"] = f"{digest.site_title} <digest.{_host(digest.site_url)}>"
    message["List-Archive"] = f"<{digest.period_url}>"
    if digest.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{digest.unsubscribe_url}>"
        if digest.unsubscribe_url.startswith("https://"):
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    # The MIME boundary is random by default; derive it from the content instead.
    digest_hash = hashlib.sha256((text + html).encode("utf-8")).hexdigest()[:24]
    message.set_boundary(f"=_paperfeed_{digest_hash}")
    return message


def _host(url: str) -> str:
    return urlsplit(url).hostname or "localhost"


def preview_message(digest: Digest, html: str, text: str, email: EmailConfig) -> EmailMessage:
    """The message `--out` saves: dated by the period's last day, with a stable Message-ID."""
    date = dt.datetime.combine(digest.last_day, dt.time(0), tzinfo=dt.UTC)
    message_id = f"<digest-{digest.key}@{_host(digest.site_url)}>"
    return digest_message(digest, html, text, email.sender, ", ".join(email.recipients), date, message_id)


def write_digest(out_dir: Path, digest: Digest, html: str, text: str, email: EmailConfig) -> list[Path]:
    """Write digest-<period>.html, .txt and .eml into out_dir (atomically); return their paths."""
    base = out_dir / f"digest-{digest.key}"
    eml = preview_message(digest, html, text, email).as_bytes()
    files = {base.with_suffix(".html"): html.encode("utf-8"), base.with_suffix(".txt"): text.encode("utf-8"),
             base.with_suffix(".eml"): eml}
    for path, data in files.items():
        write_atomic(path, data)
    return list(files)


def check_email_config(email: EmailConfig, environ: Mapping[str, str]) -> str:
    """Everything `--send` needs, or ContentError naming each missing setting; returns the password."""
    problems = []

    def need(name: str, message: str) -> None:
        problems.append(Problem(SourceLocation(CONFIG_NAME), f"email.{name}", message))

    if not email.smtp_host:
        need("smtp_host", "required to send the digest (the SMTP server's host name)")
    if not email.sender:
        need("sender", "required to send the digest (the From: address)")
    if not email.recipients:
        need("recipients", "required to send the digest (a list of addresses)")
    if email.tls not in TLS_MODES:
        need("tls", f"expected one of {', '.join(TLS_MODES)}, got {email.tls!r}")
    password = environ.get(email.password_env, "") if email.password_env else ""
    if email.username and not password:
        need("password_env", f"the SMTP password is read from the environment variable "
                             f"{email.password_env or '(none named)'}, which is not set")
    if problems:
        raise ContentError(problems)
    return password


def send_digest(digest: Digest, html: str, text: str, email: EmailConfig,
                environ: Mapping[str, str]) -> int:
    """Send one message per recipient over one SMTP connection; return how many were sent."""
    password = check_email_config(email, environ)
    now = dt.datetime.now(dt.UTC)
    domain = email.sender.rpartition("@")[2] or None
    context = ssl.create_default_context()
    try:
        if email.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(email.smtp_host, email.smtp_port, timeout=SMTP_TIMEOUT,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(email.smtp_host, email.smtp_port, timeout=SMTP_TIMEOUT)
        with smtp:
            if email.tls == "starttls":
                smtp.starttls(context=context)
            if email.username:
                smtp.login(email.username, password)
            for recipient in email.recipients:
                message = digest_message(digest, html, text, email.sender, recipient, now,
                                         make_msgid("digest", domain=domain))
                smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise BuildError(f"could not send the digest via {email.smtp_host}:{email.smtp_port}: {exc}") from None
    return len(email.recipients)

"""The digest as an email: a multipart/alternative message, sent over SMTP or saved to files.

SMTP settings come from paperfeed.yaml's `email:` section; the password only
ever from the environment variable it names (`password_env`), never from the
file, so the config can be committed. One message per recipient: nobody sees
the other addresses, and each gets a List-Unsubscribe header (RFC 2369; with an
https target also one-click, RFC 8058).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import re
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email import errors
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from generator.config import CONFIG_NAME, EmailConfig
from generator.digest import Digest
from generator.errors import BuildError, ContentError, Problem, SourceLocation
from generator.writer import write_atomic

SMTP_TIMEOUT = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    """Write digest-<period>.html, .txt and .eml into out_dir (atomically); return their paths.

    ContentError when a setting cannot go into a mail header, BuildError naming the
    file when the disk refuses it (full, read-only, no permission).
    """
    problems = header_problems(digest)
    if problems:
        raise ContentError(problems)
    base = out_dir / f"digest-{digest.key}"
    eml = _made(lambda: preview_message(digest, html, text, email), "the .eml preview").as_bytes()
    files = {base.with_suffix(".html"): html.encode("utf-8"), base.with_suffix(".txt"): text.encode("utf-8"),
             base.with_suffix(".eml"): eml}
    for path, data in files.items():
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise BuildError(f"{path}: cannot write the digest: {exc.strerror or exc}") from None
    return list(files)


def header_problems(digest: Digest) -> list[Problem]:
    """Values from outside the `email:` section that go into headers (the subject is the
    site title): a line break there would end the header and start another."""
    if _CONTROL.search(digest.subject) or _CONTROL.search(digest.site_title):
        return [Problem(SourceLocation(CONFIG_NAME), "title", "the site title is the digest's subject "
                        f"and cannot hold line breaks or control characters, got {digest.site_title!r}")]
    return []


def check_email_config(email: EmailConfig, environ: Mapping[str, str], digest: Digest | None = None) -> str:
    """Everything `--send` needs, or ContentError naming each missing or unusable setting;
    returns the password.

    Every setting is checked again here (a config made in code never met load_config's
    checks): a line break in an address fails now, not after the first recipients got mail.
    """
    problems = header_problems(digest) if digest is not None else []

    def need(name: str, message: str) -> None:
        problems.append(Problem(SourceLocation(CONFIG_NAME), f"email.{name}", message))

    for spec in dataclasses.fields(EmailConfig):
        value = getattr(email, spec.name)
        try:
            spec.metadata["check"](list(value) if isinstance(value, tuple) else value)
        except ValueError as exc:
            need(spec.name, str(exc))
    if not email.smtp_host:
        need("smtp_host", "required to send the digest (the SMTP server's host name)")
    if not email.sender:
        need("sender", "required to send the digest (the From: address)")
    if not email.recipients:
        need("recipients", "required to send the digest (a list of addresses)")
    password = environ.get(email.password_env, "") if email.password_env else ""
    if email.username and not password:
        need("password_env", f"the SMTP password is read from the environment variable "
                             f"{email.password_env or '(none named)'}, which is not set")
    if _CONTROL.search(password):
        need("password_env", f"the password in {email.password_env} holds a line break or control character")
    if problems:
        raise ContentError(problems)
    return password


def send_digest(digest: Digest, html: str, text: str, email: EmailConfig,
                environ: Mapping[str, str]) -> int:
    """Send one message per recipient over one SMTP connection; return how many were sent.

    Every message is made (and its headers checked) before the connection is opened, so
    a bad setting sends nothing; a server that fails half-way is reported with whom it reached.
    """
    password = check_email_config(email, environ, digest)
    now = dt.datetime.now(dt.UTC)
    domain = parseaddr(email.sender)[1].rpartition("@")[2] or None
    messages = []
    for recipient in email.recipients:
        make = functools.partial(digest_message, digest, html, text, email.sender, recipient, now,
                                 make_msgid("digest", domain=domain))
        message = _made(make, f"the message to {recipient}")
        messages.append((recipient, message))
    international = any(not address.isascii() for address in (email.sender, *email.recipients))
    sent: list[str] = []
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
            smtp.ehlo_or_helo_if_needed()
            if international and not smtp.has_extn("smtputf8"):
                raise BuildError(f"{email.smtp_host} does not accept non-ASCII addresses (no SMTPUTF8); "
                                 "nothing was sent")
            for recipient, message in messages:
                smtp.send_message(message)
                sent.append(recipient)
    except (smtplib.SMTPException, OSError) as exc:
        reached = f"sent to {len(sent)} of {len(messages)} recipients before it failed" + (
            f" ({', '.join(sent)})" if sent else "")
        raise BuildError(f"could not send the digest via {email.smtp_host}:{email.smtp_port}: {exc}; "
                         f"{reached}") from None
    return len(sent)


def _made(make: Callable[[], EmailMessage], what: str) -> EmailMessage:
    """A message made and written out once: a header the email package refuses (a line
    break, say) is a BuildError now, not a traceback half-way through sending."""
    try:
        message = make()
        message.as_bytes()
    except (ValueError, TypeError, errors.MessageError) as exc:
        raise BuildError(f"cannot make {what}: {exc}") from None
    return message

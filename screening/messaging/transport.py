"""One delivery to the SMTP server, and what a failure means for the next attempt.

STARTTLS is required, not tried: a server that does not offer it gets nothing (no silent
fall-back to plain text). Failure texts are kept for staff and logs with every address
replaced, so a bounce never copies a patient's address into a log line.
"""

import re
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate

from screening.settings import SmtpServer, SmtpTls

ADDRESS = re.compile(r"[^\s<>\"'@]+@[^\s<>\"'@]+")
MAX_ERROR = 300


@dataclass(frozen=True)
class Letter:
    """A mail as the transport needs it, read from the outbox before the connection opens."""

    sender: str
    sender_name: str
    recipient: str
    subject: str
    body: str
    message_id: str


@dataclass(frozen=True)
class Failure:
    text: str
    """What went wrong, for staff: the SMTP reply or the network error, addresses removed."""
    permanent: bool
    """The server refused this mail for good (5xx on its recipient or content): trying again cannot help."""
    per_message: bool
    """About this mail only; otherwise the server or network is the problem and the rest of the batch waits."""


def _message(letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((letter.sender_name, letter.sender))
    message["To"] = letter.recipient
    message["Subject"] = letter.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = letter.message_id
    message.set_content(letter.body)
    return message


def _connect(server: SmtpServer) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if server.tls is SmtpTls.ssl:
        return smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout, context=context)
    connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    if server.tls is SmtpTls.starttls:
        try:
            connection.starttls(context=context)
        except BaseException:
            connection.close()
            raise
    return connection


def send(server: SmtpServer, letter: Letter) -> Failure | None:
    """Deliver one mail; None when the server accepted it."""
    try:
        with _connect(server) as connection:
            if server.user:
                password = server.password.get_secret_value() if server.password else ""
                connection.login(server.user, password)
            connection.send_message(_message(letter))
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        return Failure(_clean(f"recipient refused: {_replies(exc.recipients.values())}"), min(codes) >= 500, True)
    except smtplib.SMTPDataError as exc:
        return Failure(_clean(f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}"), exc.smtp_code >= 500, True)
    except smtplib.SMTPNotSupportedError:
        return Failure("the server does not offer STARTTLS (SMTP_TLS=starttls requires it)", False, False)
    except smtplib.SMTPResponseException as exc:
        return Failure(_clean(f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"), False, False)
    except (smtplib.SMTPException, OSError) as exc:
        return Failure(_clean(f"{type(exc).__name__}: {exc}"), False, False)
    return None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _replies(replies: Iterable[tuple[int, bytes]]) -> str:
    return "; ".join(f"{code} {_text(text)}" for code, text in replies)


def _clean(text: str) -> str:
    return ADDRESS.sub("<address>", " ".join(text.split()))[:MAX_ERROR]

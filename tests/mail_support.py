"""A real SMTP server in this process (aiosmtpd) that keeps what it receives, and settings that send to it."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from screening.settings import Settings, get_settings

SENDER = "intake@clinic.example"
ONCALL = "oncall@clinic.example"
BASE_URL = "https://screening.clinic.example"
CLINIC = "Riverside Clinic"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Inbox:
    """The aiosmtpd handler: every accepted mail, parsed; ``refuse`` turns recipients away with that reply."""

    received: list[EmailMessage] = field(default_factory=list)
    refuse: str | None = None

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@contextmanager
def smtp_server(port: int, inbox: Inbox | None = None) -> Iterator[Inbox]:
    """Listening on 127.0.0.1:``port`` until the block ends."""
    inbox = inbox if inbox is not None else Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def mail_settings(folder: Path, port: int, **changes: Any) -> Settings:
    """Mail on, through the test server without TLS; cheap password hashing as elsewhere in the tests."""
    values: dict[str, Any] = {
        "data_dir": folder / "data",
        "database_url": f"sqlite:///{folder / 'test.db'}",
        "password_time_cost": 1,
        "password_memory_kib": 1024,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_tls": "none",
        "smtp_timeout": 5,
        "smtp_from": SENDER,
        "oncall_email": ONCALL,
        "base_url": BASE_URL,
        "clinic_name": CLINIC,
    }
    return Settings(**(values | changes))


def mail_env(port: int) -> dict[str, str]:
    """The same, as the environment the app reads."""
    return {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_TLS": "none",
        "SMTP_FROM": SENDER,
        "SCREENING_ONCALL_EMAIL": ONCALL,
        "SCREENING_BASE_URL": BASE_URL,
        "SCREENING_CLINIC_NAME": CLINIC,
    }


def app_environment(monkeypatch: pytest.MonkeyPatch, folder: Path, env: dict[str, str]) -> None:
    """The environment the app (or the command line) reads: its own data directory and SQLite file, mail as
    ``env`` says (none of the machine's own SMTP settings leak in); settings are read again."""
    monkeypatch.setenv("SCREENING_DATA_DIR", str(folder))
    for name in ("DATABASE_URL", "SCREENING_DATABASE_URL", "SMTP_URL", "SMTP_USER", "SMTP_PASSWORD", *mail_env(0)):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def text_of(message: EmailMessage) -> str:
    """Everything a reader of the mail sees: headers and body."""
    body = message.get_body(preferencelist=("plain",))
    return "\n".join(f"{k}: {v}" for k, v in message.items()) + "\n" + (body.get_content() if body else "")

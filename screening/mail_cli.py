"""``python -m screening mail ...``: send waiting mail from cron, and check the mail settings by hand.

The app sends its own mail while it runs (see ``screening.messaging.courier``); ``mail send``
is for when it does not (stopped, restarted, or several app processes behind one database):
run it every few minutes and every mail that is due goes, retries included.
"""

import argparse
import sys
from email.utils import make_msgid

from screening.messaging import transport
from screening.messaging.outbox import send_due
from screening.settings import get_settings
from screening.storage import Database

MAIL_OFF = "Mail is off: set SMTP_URL (or SMTP_HOST) and SMTP_FROM; see the README."


def cmd_mail(args: argparse.Namespace) -> int:
    settings = get_settings()
    server = settings.smtp
    if server is None or not settings.smtp_from:
        print(MAIL_OFF, file=sys.stderr)
        return 1
    if args.action == "test":
        letter = transport.Letter(
            sender=settings.smtp_from,
            sender_name=settings.clinic_name,
            recipient=args.address,
            subject=f"Test message from {settings.clinic_name}",
            body="This message checks the mail settings of the clinic's pre-screening app. No reply is needed.\n",
            message_id=make_msgid(domain=settings.smtp_from.rpartition("@")[2]),
        )
        failure = transport.send(server, letter)
        print(
            f"Not sent through {server.describe()}: {failure.text}" if failure else f"Sent through {server.describe()}."
        )
        return 1 if failure else 0
    db = Database.from_settings(settings)
    db.migrate()
    report = send_due(db)
    print(f"{report.sent} sent, {report.retrying} to try again later, {report.failed} failed, {report.expired} expired")
    return 0

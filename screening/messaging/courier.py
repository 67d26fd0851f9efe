"""The app's background sender: no separate service to run for mail to go out.

One thread per database per process, started with the app (``screening.ui.resources``)
when mail is on. It sends as soon as a service that queued mail has committed and calls
``wake``, and every ``POLL`` otherwise, which is what retries ride on. Other processes
(the command line, cron's ``python -m screening mail send``) have no courier: their mail
waits for the next round of whichever sender runs first; the outbox's claims keep two
senders from sending one mail twice.
"""

import logging
import threading

from screening.messaging.outbox import mail_on, send_due
from screening.storage import Database

log = logging.getLogger(__name__)

POLL_SECONDS = 60.0


class Courier:
    def __init__(self, db: Database, poll_seconds: float = POLL_SECONDS) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="mail-courier", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            try:
                send_due(self.db)
            except Exception as exc:  # the sender must outlive a database hiccup
                log.warning("mail courier round failed: %s", type(exc).__name__)


_couriers: dict[str, Courier] = {}
_lock = threading.Lock()


def start(db: Database, poll_seconds: float = POLL_SECONDS) -> Courier | None:
    """This process's courier for ``db`` (started on first call); None when mail is off."""
    if not mail_on(db.config):
        return None
    with _lock:
        if db.url not in _couriers:
            _couriers[db.url] = Courier(db, poll_seconds)
        return _couriers[db.url]


def stop(db: Database) -> None:
    """End the courier for ``db`` after its current round (a test's database is going away)."""
    with _lock:
        courier = _couriers.pop(db.url, None)
    if courier is not None:
        courier.stop()


def wake(db: Database) -> None:
    """After a commit that queued mail: send now if this process has a courier, else the next round will."""
    courier = _couriers.get(db.url)
    if courier is not None:
        courier.wake()

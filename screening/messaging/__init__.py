"""Outgoing mail: what the clinic sends, the outbox it waits in, and how it reaches the SMTP server.

- ``messages``: the text of each mail. None carries health information: no triage word,
  no answer, no pathway, no name of a treatment; a patient's mail names only the clinic.
- ``outbox``: the services. A mail is queued in the transaction of what caused it (a
  submission, a saved draft), sent after commit, retried with backoff, and listed for staff.
- ``transport``: one SMTP delivery, and which failures are worth retrying.
- ``courier``: the app's background sender, woken after each commit that queued mail and
  every minute for retries; ``python -m screening mail send`` does the same from cron.

Mail is off unless SMTP is configured (``screening.settings``); then nothing is queued.
"""

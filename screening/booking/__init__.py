"""The free video call: slots staff publish, a patient's provisional request, intake's confirmation.

- ``slots``: publish one slot or a weekly pattern, list and withdraw them (staff, audited).
- ``calls``: a patient requests an open slot or "please call me"; intake confirms, offers another
  or cancels; each change is an event on the case's timeline and, by staff, an audit row.
- ``calendar``: the confirmed call as an .ics file; ``mail``: its confirmation by email (no health
  information), queued through the outbox in the confirmation's transaction.

Which slots a patient is offered never depends on their triage; a patient told to seek urgent
care is not offered one at all.
"""

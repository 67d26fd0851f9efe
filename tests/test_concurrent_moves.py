"""Two staff moving the same submission at once: one wins, the other is told and changes nothing.

Each move carries the status its page showed; the case row is locked while a move is made
(PostgreSQL row lock, SQLite write lock), so the second move sees the first and is refused.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from storage_support import login_as, patient

from screening import casework, intake
from screening.casework import ChangedMeanwhile
from screening.storage import Database
from screening.workflow import Status

pytest_plugins = ["db_fixtures"]


def _race(db: Database, moves: list[tuple[casework.StaffSession, Status]], submission_id: int, shown: Status):
    gate = threading.Barrier(len(moves))

    def one(move: tuple[casework.StaffSession, Status]) -> str:
        who, target = move
        gate.wait()
        try:
            casework.change_status(db, who, submission_id, target, expected=shown)
        except ChangedMeanwhile as refused:
            return str(refused)
        return "moved"

    with ThreadPoolExecutor(len(moves)) as pool:
        return list(pool.map(one, moves))


@pytest.mark.parametrize("rounds", [5])
def test_two_staff_moving_one_case_at_once_one_wins_and_the_other_is_told(db: Database, ruleset, rounds: int):
    nina, omar = login_as(db, "nina"), login_as(db, "omar")
    for _ in range(rounds):
        submission_id = intake.submit(db, patient(ruleset), ruleset).submission_id
        casework.change_status(db, nina, submission_id, Status.in_review)
        outcomes = _race(
            db, [(nina, Status.contact_attempted), (omar, Status.declined)], submission_id, Status.in_review
        )
        assert sorted(outcome == "moved" for outcome in outcomes) == [False, True], outcomes
        winner = Status.contact_attempted if outcomes[0] == "moved" else Status.declined
        told = next(outcome for outcome in outcomes if outcome != "moved")
        assert f"Someone else moved this submission to {casework.STATUS_LABELS[winner]} meanwhile" in told
        found = casework.detail(db, nina, submission_id)
        assert found.status == winner
        moves = [entry.data for entry in found.timeline if entry.kind == "status"]
        attempt = {"attempt": 1} if found.contact_attempts else {}
        assert moves[-1] == {"from": "in_review", "to": winner.value, **attempt}
        assert len(moves) == 3, "the loser's move left no event"


def test_a_move_from_the_status_shown_still_works(db: Database, ruleset):
    nina = login_as(db, "nina")
    submission_id = intake.submit(db, patient(ruleset), ruleset).submission_id
    casework.change_status(db, nina, submission_id, Status.in_review, expected=Status.new)
    assert casework.record_contact_attempt(db, nina, submission_id, expected=Status.in_review) == 1
    with pytest.raises(ChangedMeanwhile):
        casework.record_contact_attempt(db, nina, submission_id, expected=Status.in_review)

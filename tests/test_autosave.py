"""The patient tab's autosave on SQLite and PostgreSQL: found only by its token, gone when it expires or is sent."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from screening import autosave
from screening.storage import Database
from screening.storage.models import AutosaveRow

pytest_plugins = ["db_fixtures"]

ANSWERS = {"seeking": {"reason": "chronic_migraine"}, "headache": {"hours_per_day": 6.5, "acute_days": None}}


def test_the_answers_and_step_come_back_with_the_token(db: Database):
    token = autosave.new_token()
    autosave.keep(db, token, ANSWERS, "headache")
    found = autosave.restore(db, token)
    assert found == autosave.Autosaved(ANSWERS, "headache")
    autosave.keep(db, token, {"seeking": {"reason": "facial_pain"}}, "facial_pain")
    assert autosave.restore(db, token) == autosave.Autosaved({"seeking": {"reason": "facial_pain"}}, "facial_pain")


def test_the_token_is_not_stored_and_is_long_and_random(db: Database):
    tokens = {autosave.new_token() for _ in range(50)}
    assert len(tokens) == 50 and all(len(token) >= 32 for token in tokens)
    token = tokens.pop()
    autosave.keep(db, token, ANSWERS, "headache")
    with db.session() as tx:
        stored = tx.scalars(select(AutosaveRow.token_hash)).all()
    assert token not in stored and len(stored) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_no_other_token_opens_it(db: Database, guess: str):
    token = autosave.new_token()
    autosave.keep(db, token, ANSWERS, "headache")
    if guess != token:
        assert autosave.restore(db, guess) is None


def test_it_expires_a_while_after_the_last_change_and_expired_ones_are_purged(db: Database):
    token, other = autosave.new_token(), autosave.new_token()
    autosave.keep(db, token, ANSWERS, "headache")
    saved_at = db.now()
    lifetime = timedelta(minutes=db.config.autosave_minutes)
    db.clock = lambda: saved_at + lifetime - timedelta(seconds=1)
    assert autosave.restore(db, token) is not None
    db.clock = lambda: saved_at + lifetime + timedelta(seconds=1)
    assert autosave.restore(db, token) is None
    autosave.keep(db, other, ANSWERS, "about")
    with db.session() as tx:
        assert tx.scalars(select(AutosaveRow)).all()[0].step == "about"
        assert len(tx.scalars(select(AutosaveRow)).all()) == 1


def test_forgetting_deletes_it(db: Database):
    token = autosave.new_token()
    autosave.keep(db, token, ANSWERS, "headache")
    autosave.forget(db, token)
    assert autosave.restore(db, token) is None

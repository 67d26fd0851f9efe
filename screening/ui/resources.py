"""What every page shares, made once per process: the rule set and the database (with its mail courier).

Cached by their location (rules folder, database URL), so a test or a restart with
another data directory gets its own, and a page rerun does no loading at all.
"""

import threading
from pathlib import Path

import streamlit as st

from screening import fact_store
from screening.loader import load_ruleset
from screening.messaging import courier
from screening.privacy import retention
from screening.privacy.notice import Terms
from screening.ruleset import RuleSet
from screening.settings import Settings, get_settings
from screening.storage import Database


@st.cache_resource(show_spinner=False)
def ruleset_at(rules_dir: str) -> RuleSet:
    return load_ruleset(Path(rules_dir))


@st.cache_resource(show_spinner=False)
def database_at(url: str, _settings: Settings) -> Database:
    """Migrated, and its stale facts rows (the facts changed since they were stored) rebuilt in the background:
    a short write transaction per batch, so patients keep submitting meanwhile; a preview finishes the rest."""
    db = Database(url, settings=_settings)
    db.migrate()
    threading.Thread(target=fact_store.rebuild, args=(db,), name="facts-rebuild", daemon=True).start()
    courier.start(db)  # the app sends its own mail (when mail is on): no separate service to run
    # Retention at start, at most once a day across instances (cron may run it too): erases what has expired.
    threading.Thread(target=retention.run_if_due, args=(db,), name="retention", daemon=True).start()
    return db


@st.cache_data(ttl=600, show_spinner=False)
def _retention_months(url: str) -> int:
    """Read at most every ten minutes: the welcome page shows it to every patient."""
    return retention.policy(database()).months


def privacy_terms() -> Terms:
    """What the privacy text promises, from the settings and the policy that enforce it."""
    settings = get_settings()
    months = _retention_months(settings.database_url)
    return Terms(months, settings.draft_days, settings.autosave_minutes, settings.privacy_contact)


def ruleset() -> RuleSet:
    return ruleset_at(str(get_settings().rules_dir))


def database() -> Database:
    settings = get_settings()
    return database_at(settings.database_url, settings)

"""What every page shares, made once per process: the rule set and the database (with its mail courier).

Cached by their location (rules folder, database URL), so a test or a restart with
another data directory gets its own, and a page rerun does no loading at all.
"""

from pathlib import Path

import streamlit as st

from screening.loader import load_ruleset
from screening.messaging import courier
from screening.ruleset import RuleSet
from screening.settings import Settings, get_settings
from screening.storage import Database


@st.cache_resource(show_spinner=False)
def ruleset_at(rules_dir: str) -> RuleSet:
    return load_ruleset(Path(rules_dir))


@st.cache_resource(show_spinner=False)
def database_at(url: str, _settings: Settings) -> Database:
    db = Database(url, settings=_settings)
    db.migrate()
    courier.start(db)  # the app sends its own mail (when mail is on): no separate service to run
    return db


def ruleset() -> RuleSet:
    return ruleset_at(str(get_settings().rules_dir))


def database() -> Database:
    settings = get_settings()
    return database_at(settings.database_url, settings)

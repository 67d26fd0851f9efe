"""Intake operations through the pages (AppTest on a real SQLite file): the queue's order, overdue and repeat
columns, bulk actions, the case page's summary and repeat links, overdue targets, and the analytics page."""

from datetime import timedelta
from typing import Any

import pandas as pd
import pytest
from booking_support import book_by_call
from storage_support import login_as, patient
from test_staff_apptest import (  # the staff page fixtures and helpers, shared rather than copied
    app_db,
    assert_only_login,
    at_page,
    audit_actions,
    case_facts,
    headers,
    in_order,
    open_detail,
    queue_table,
    rules,
    texts,
)
from wizard_support import click, shown_alerts

from screening import casework, intake, overdue, staff
from screening.call_notes import ASK, TOLD
from screening.ruleset import Advice
from screening.staff import Role
from screening.storage import Database
from screening.triage import Triage
from screening.ui import queue_table as queue_table_module
from screening.workflow import STATUS_LABELS, Status

__all__ = ["app_db", "rules"]
pytest_plugins = ["db_fixtures"]


def submit(db: Database, rules: Any, triage: Triage = Triage.likely_candidate, **contact: Any) -> int:
    answers = patient(rules, triage).model_dump(mode="json")
    answers["contact"].update(contact)
    return intake.submit(db, type(patient(rules)).model_validate(answers), rules).submission_id


def test_the_queue_marks_overdue_and_repeats_and_sorts_by_time_in_status(app_db: Database, rules: Any) -> None:
    start = app_db.now()
    app_db.clock = lambda: start - timedelta(days=10)
    old = submit(app_db, rules, name="Old Patient", phone="555 000 1111")
    app_db.clock = lambda: start - timedelta(minutes=5)
    submit(app_db, rules, Triage.urgent, name="New Urgent", phone="555 000 2222")
    again = submit(app_db, rules, name="Old Patient Again", phone="(555) 000-1111")
    app_db.clock = lambda: start
    me = login_as(app_db, "nina")
    at = at_page("queue", me)
    table = queue_table(at)
    assert list(table["Name"]) == ["New Urgent", "Old Patient", "Old Patient Again"]
    assert list(table["Overdue"]) == ["", "Overdue", ""], "ten days is past two working days; five minutes is not"
    assert list(table["Repeat"]) == ["", "Possible repeat", "Possible repeat"]
    assert all(isinstance(value, pd.Timedelta) for value in table["In status for"]), "a duration sorts as one"
    at.selectbox(key="q_order").set_value("waiting")
    at.run()
    assert queue_table(at)["Name"].iloc[0] == "Old Patient"
    at.checkbox(key="q_overdue").check()
    at.run()
    assert list(queue_table(at)["Name"]) == ["Old Patient"]
    assert casework.detail(app_db, me, again, record_view=False).repeats[0].submission_id == old


def test_an_overdue_row_is_amber_in_a_column_seen_at_a_glance() -> None:
    """At 1366 px the Overdue column is past the window's edge: the status cell carries the mark too."""
    base = {name: "" for name in queue_table_module.COLUMNS} | {"In status for": pd.Timedelta(days=6)}
    frame = pd.DataFrame([base | {"Status": "New", "Overdue": queue_table_module.OVERDUE}, base | {"Status": "New"}])
    styles = queue_table_module.styled(frame)._compute().ctx
    status = list(frame.columns).index("Status")
    assert "Status" in queue_table_module.AT_A_GLANCE
    assert ("background-color", "#ffd54f") in styles[(0, status)]
    assert not styles.get((1, status))


def test_ticked_rows_are_assigned_and_moved_together_from_the_queue(app_db: Database, rules: Any) -> None:
    ids = [submit(app_db, rules, name=f"Bulk {n}") for n in range(3)]
    me, omar = login_as(app_db, "nina"), login_as(app_db, "omar")
    casework.change_status(app_db, me, ids[0], Status.in_review)
    at = at_page("queue", me)
    at.session_state["queue_rows_0"] = {"selection": {"rows": [0, 1, 2], "columns": [], "cells": []}}
    at.run()
    assert "3 submissions ticked" in " ".join(texts(at))
    at.selectbox(key="bulk_assignee").set_value(omar.staff_id)
    at = click(at, "Assign ticked")
    assert shown_alerts(at.success) == ["3 submissions assigned to Omar."]
    assert {casework.detail(app_db, me, i, record_view=False).assignee for i in ids} == {"Omar"}
    at.session_state["queue_rows_1"] = {"selection": {"rows": [0, 1, 2], "columns": [], "cells": []}}
    at.run()
    offered = at.selectbox(key="bulk_status").options
    assert STATUS_LABELS[Status.consultation_booked] not in offered, "only confirming a video call books"
    at.selectbox(key="bulk_status").set_value(Status.declined.value)
    at = click(at, "Move ticked")
    assert shown_alerts(at.success) == ["1 submission moved to Declined."]
    refused = shown_alerts(at.error)[0]
    assert refused.startswith("Not changed: ") and refused.count("Cannot move from New to Declined") == 2
    statuses = [casework.detail(app_db, me, i, record_view=False).status for i in ids]
    assert statuses == [Status.declined, Status.new, Status.new]
    admin = login_as(app_db, "ada", Role.admin)
    assert len(audit_actions(app_db, admin, action="assign")) == 3


def test_the_case_page_starts_with_the_call_summary_and_links_possible_repeats(app_db: Database, rules: Any) -> None:
    first = submit(app_db, rules, name="Rita Repeat", phone="555 000 3333")
    second = submit(app_db, rules, Triage.needs_review, name="Rita Repeat", phone="555 000 3333")
    me = login_as(app_db, "nina")
    at = open_detail(me, second)
    shown = texts(at)
    calls = [t.removeprefix("• ") for t in shown if t.startswith("• ")]
    assert calls == [ASK["PR-BLEEDING"], ASK["CM-LIKELY"]], "one line per flag, most serious first"
    subheaders = [s.value for s in at.subheader]
    assert subheaders.index("For the call") < subheaders.index("Why it was flagged")
    first_ref = casework.detail(app_db, me, first, record_view=False).reference
    at.button(key=f"repeat_{first}").click()
    at.run()
    assert headers(at) == [f"Submission {first_ref}"]
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, action="view", target=first_ref) == ["view"]


def test_a_shared_number_links_only_the_newest_repeats(app_db: Database, rules: Any) -> None:
    ids = [submit(app_db, rules, name=f"Resident {n}", phone="555 000 4444") for n in range(9)]
    at = open_detail(login_as(app_db, "nina"), ids[-1])
    linked = [b.key for b in at.button if (b.key or "").startswith("repeat_")]
    assert linked == [f"repeat_{sid}" for sid in ids[2:-1]], "the six newest others, oldest of them first"
    assert "and 2 older submissions with the same details." in texts(at)


@pytest.mark.parametrize(
    ("signs", "told"),
    [
        ({"thunderclap": "yes", "new_after_50": "yes"}, Advice.emergency),
        ({"new_after_50": "yes"}, Advice.soon),
        ({"head_injury": "not_sure"}, Advice.unsure),
    ],
)
def test_the_call_summary_starts_with_what_the_patient_was_told_at_its_grade(
    app_db: Database, rules: Any, signs: dict[str, str], told: Advice
) -> None:
    """The advice line comes from the rule set's grades: a "see a doctor soon" patient is not said to have been
    sent to the emergency department, nor an emergency one to "see a doctor soon"."""
    answers = patient(rules).model_dump(mode="json")
    answers["red_flags"] |= signs
    sid = intake.submit(app_db, type(patient(rules)).model_validate(answers), rules).submission_id
    at = open_detail(login_as(app_db, "nina"), sid)
    calls = [t.removeprefix("• ") for t in texts(at) if t.startswith("• ")]
    assert calls[0] == TOLD[told] and not set(TOLD.values()) & set(calls[1:])


def test_a_display_name_with_markup_is_shown_as_typed(app_db: Database, rules: Any) -> None:
    sid = submit(app_db, rules)
    odd = "Max **x** :red[y] $z$"
    staff.add_staff(app_db, "max", odd, Role.intake, "Correct horse battery 9", actor=staff.CONSOLE)
    person = next(p for p in staff.list_staff(app_db, login_as(app_db, "ada", Role.admin)) if p.username == "max")
    me = login_as(app_db, "nina")
    at = open_detail(me, sid)
    at.selectbox(key="assignee").set_value(person.id)
    at = click(at, "Assign")
    assert shown_alerts(at.success) == [f"Assigned to {odd}."]
    assert "**" not in at.success[0].value and "\\*\\*x\\*\\*" in at.success[0].value, "escaped for Markdown"
    assert case_facts(at)["Assigned to"] == odd


def test_an_admin_sets_overdue_targets_and_each_change_is_audited(app_db: Database) -> None:
    admin = login_as(app_db, "ada", Role.admin)
    at = at_page("admin", admin)
    assert at.number_input(key="target_amount_urgent").value == 1
    at.number_input(key="target_amount_urgent").set_value(3)
    at.selectbox(key="target_unit_likely_candidate").set_value("hours")
    at = click(at, "Save targets")
    assert shown_alerts(at.success) == ["Targets saved (2 changed)."]
    targets = overdue.current_targets(app_db, admin)
    assert (targets[Triage.urgent].amount, targets[Triage.likely_candidate].unit) == (3, "hours")
    assert audit_actions(app_db, admin, action="set_target") == ["set_target", "set_target"]
    at = click(at, "Save targets")
    assert shown_alerts(at.success) == ["No target changed."]


def test_the_analytics_page_shows_the_figures_and_charts_and_is_audited(app_db: Database, rules: Any) -> None:
    ids = [submit(app_db, rules), submit(app_db, rules, Triage.urgent)]
    me = login_as(app_db, "nina")
    casework.change_status(app_db, me, ids[0], Status.in_review)
    book_by_call(app_db, rules, login_as(app_db, "rivera", Role.clinician), me, ids[0])
    at = at_page("analytics", me)
    assert not at.exception, at.exception
    figures = {m.label: m.value for m in at.metric}
    assert figures["Submissions"] == "2"
    assert figures["Reached a booked consultation"] == "50%"
    assert figures["Median to first contact"].endswith("min")
    assert "1 submission contacted so far; 1 submission booked." in " ".join(texts(at))
    assert sum(e.type == "vega_lite_chart" for e in in_order(at.main)) == 3
    assert any(t.startswith("Submissions per pathway: Headache") for t in texts(at))
    admin = login_as(app_db, "ada", Role.admin)
    assert audit_actions(app_db, admin, action="view", target="analytics") == ["view"]


def test_the_analytics_page_needs_a_login(app_db: Database, rules: Any) -> None:
    submit(app_db, rules, name="Secret Sam")
    assert_only_login(at_page("analytics"), "Secret Sam", "Submissions")

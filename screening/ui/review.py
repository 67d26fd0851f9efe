"""The review page: every answer grouped by step, compact, with "Change" beside each group's title.

On a phone it must read in a couple of screens: each answer is its question in small bold type
with the answer right under it (no gap), each step one bordered group. Everything the patient
typed is shown with ``st.text``, never as markdown.
"""

from datetime import date
from typing import Any

import streamlit as st

from screening.catalogue import OTHER_DRUG, drug_label
from screening.choices import label
from screening.ui.draft import (
    ACUTE_KINDS,
    KIND_NAMES,
    KINDS_QUESTION,
    NONE_OF_THESE,
    REVIEW,
    WELCOME,
    Draft,
    Errors,
    Step,
    acute_kinds,
    section_model,
    shown,
    steps_for,
)
from screening.ui.navigation import go_to
from screening.ui.wording import amount

INTRO = "Please check your answers. Change opens that part; your other answers stay as they are."


def review(draft: Draft, step: Step, errors: Errors) -> None:
    st.write(INTRO)
    for each in steps_for(draft):
        if each not in (WELCOME, REVIEW):
            _group(draft, each)


def _group(draft: Draft, step: Step) -> None:
    with st.container(border=True, gap=None, key=f"review_{step.key}"):
        with st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False):
            st.header(step.title, anchor=False, width="stretch")
            if st.button("Change", key=f"change-{step.key}", help=f"Change: {step.title}"):
                go_to(step, back_to_review=True)
        for section, field in step.fields:
            if field == ACUTE_KINDS[0] and shown(draft, (section, field)):
                _answer(KINDS_QUESTION, _kinds(draft.get(section, {})))
            elif field not in ACUTE_KINDS and shown(draft, (section, field)):
                info = section_model(section).model_fields[field]
                _answer(info.title or field, _text(section, field, draft.get(section, {})))


def _answer(question: str, text: str) -> None:
    """Question and answer as one tight pair (patient.css spaces the pairs); the answer, maybe typed by the
    patient, as plain text. No wrapper per pair: a long review stays quick to draw."""
    st.markdown(f":small[**{question}**]")
    st.text(text)


def _text(section: str, field: str, answers: dict[str, Any]) -> str:
    value = answers.get(field)
    if field == "preventives":
        return "\n".join(_preventive_line(item) for item in value or []) or "None"
    if isinstance(value, int | float) and not isinstance(value, bool):
        info = section_model(section).model_fields[field]
        unit = info.json_schema_extra.get("unit") if isinstance(info.json_schema_extra, dict) else None
        return amount(value, unit)
    return shown_answer(answers, field)


def _kinds(headache: dict[str, Any]) -> str:
    """The attack medicines as one answer: the kinds ticked with their days, not six lines of 0."""
    ticked = acute_kinds(headache)
    lines = [
        f"{KIND_NAMES[kind][0]}: "
        + ("not sure how many days" if headache.get(kind) is None else amount(headache[kind], "days a month"))
        for kind in ticked or []
    ]
    return "\n".join(lines) or ("Not answered" if ticked is None else NONE_OF_THESE)


DATES = ("date_of_birth", "last_injection")
"""Answers that are dates, shown as the patient typed them (MM/DD/YYYY)."""


def shown_answer(answers: dict[str, Any], field: str) -> str:
    """An answer in plain words: options by their label, "Not sure" for an unknown number."""
    if field not in answers:
        return "Not answered"
    value = answers[field]
    if value is None:
        return "Not sure"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(label(v) for v in value) or "None"
    if field in DATES:
        return date.fromisoformat(value).strftime("%m/%d/%Y")
    return label(value)


def _preventive_line(item: dict[str, Any]) -> str:
    name = item.get("other_name") if item.get("drug") == OTHER_DRUG else drug_label(item.get("drug", ""))
    weeks = item.get("weeks")
    return f"{name or 'Medicine not chosen'}: {'weeks not sure' if weeks is None else amount(weeks, 'weeks')}, " + (
        label(item["outcome"]) if "outcome" in item else "outcome not given"
    )

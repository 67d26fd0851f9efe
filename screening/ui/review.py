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
from screening.i18n import ENGLISH, N_, translate
from screening.i18n.formats import amount, birth_date
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
from screening.ui.language import current, t
from screening.ui.navigation import move_to

INTRO = N_("Please check your answers. Change opens that part; your other answers stay as they are.")


def review(draft: Draft, step: Step, errors: Errors) -> None:
    st.write(t(INTRO))
    for each in steps_for(draft):
        if each not in (WELCOME, REVIEW):
            _group(draft, each)


def _group(draft: Draft, step: Step) -> None:
    language = current()
    title = t(step.title)
    with st.container(border=True, gap=None, key=f"review_{step.key}"):
        with st.container(horizontal=True, vertical_alignment="center", gap="small", wrap=False):
            st.header(title, anchor=False, width="stretch")
            st.button(
                t("Change"),
                key=f"change-{step.key}",
                help=t("Change: {part}").format(part=title),
                on_click=move_to,
                args=(step,),
                kwargs={"back_to_review": True},
            )
        for section, field in step.fields:
            if field == ACUTE_KINDS[0] and shown(draft, (section, field)):
                _answer(t(KINDS_QUESTION), _kinds(draft.get(section, {}), language))
            elif field not in ACUTE_KINDS and shown(draft, (section, field)):
                info = section_model(section).model_fields[field]
                _answer(t(info.title or field), _text(section, field, draft.get(section, {}), language))


def _answer(question: str, text: str) -> None:
    """Question and answer as one tight pair (patient.css spaces the pairs); the answer, maybe typed by the
    patient, as plain text. No wrapper per pair: a long review stays quick to draw."""
    st.markdown(f":small[**{question}**]")
    st.text(text)


def _text(section: str, field: str, answers: dict[str, Any], language: str) -> str:
    value = answers.get(field)
    if field == "preventives":
        return "\n".join(_preventive_line(item, language) for item in value or []) or translate("None", language)
    if isinstance(value, int | float) and not isinstance(value, bool):
        info = section_model(section).model_fields[field]
        unit = info.json_schema_extra.get("unit") if isinstance(info.json_schema_extra, dict) else None
        return amount(value, unit, language)
    return shown_answer(answers, field, language)


def _kinds(headache: dict[str, Any], language: str) -> str:
    """The attack medicines as one answer: the kinds ticked with their days, not six lines of 0."""
    ticked = acute_kinds(headache)
    lines = [
        f"{translate(KIND_NAMES[kind][0], language)}: "
        + (
            translate("not sure how many days", language)
            if headache.get(kind) is None
            else amount(headache[kind], "days a month", language)
        )
        for kind in ticked or []
    ]
    if lines:
        return "\n".join(lines)
    return translate("Not answered", language) if ticked is None else translate(NONE_OF_THESE, language)


DATES = ("date_of_birth", "last_injection")
"""Answers that are dates, shown as the patient typed them (MM/DD/YYYY; in Spanish with the month's name)."""


def shown_answer(answers: dict[str, Any], field: str, language: str = ENGLISH) -> str:
    """An answer in plain words: options by their label, "Not sure" for an unknown number (staff read English)."""
    if field not in answers:
        return translate("Not answered", language)
    value = answers[field]
    if value is None:
        return translate("Not sure", language)
    if isinstance(value, bool):
        return translate("Yes", language) if value else translate("No", language)
    if isinstance(value, list):
        return ", ".join(translate(label(v), language) for v in value) or translate("None", language)
    if field in DATES:
        return birth_date(date.fromisoformat(value), language)
    return translate(label(value), language)


def _preventive_line(item: dict[str, Any], language: str) -> str:
    typed = item.get("drug") == OTHER_DRUG
    name = item.get("other_name") if typed else translate(drug_label(item.get("drug", "")), language)
    weeks = item.get("weeks")
    how_long = translate("weeks not sure", language) if weeks is None else amount(weeks, "weeks", language)
    given = item.get("outcome")
    outcome = translate(label(given), language) if given else translate("outcome not given", language)
    name = name or translate("Medicine not chosen", language)
    return f"{name}: {how_long}, {outcome}"

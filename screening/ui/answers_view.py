"""A submission's answers for staff, in the steps the patient walked, each question once with its unit.

Answers are patient text, so they sit in table cells (plain text), never in Markdown.
"""

from typing import Any

import pandas as pd
import streamlit as st

from screening.answers import PreventiveTried
from screening.catalogue import OTHER_DRUG, drug_label
from screening.choices import label
from screening.ui.draft import REVIEW, WELCOME, section_model, shown, steps_for
from screening.ui.review import shown_answer


def answer_rows(answers: dict[str, Any], section: str, fields: list[str]) -> pd.DataFrame:
    """Question titles from the model, answers in the plain words the patient chose them by."""
    model = section_model(section)
    rows = []
    for name in fields:
        info = model.model_fields[name]
        given = answers.get(section) or {}
        value = given.get(name)
        text = f"{value:g}" if isinstance(value, float) else shown_answer(given, name)
        unit = info.json_schema_extra.get("unit") if isinstance(info.json_schema_extra, dict) else None
        if unit and value is not None:
            text = f"{text} {unit}"
        rows.append({"Question": info.title or name, "Answer": text})
    return pd.DataFrame(rows, columns=["Question", "Answer"], dtype="string")


def preventive_rows(items: list[dict[str, Any]]) -> pd.DataFrame:
    titles = PreventiveTried.model_fields
    rows = [
        {
            titles["drug"].title: item["other_name"] if item["drug"] == OTHER_DRUG else drug_label(item["drug"]),
            titles["other_class"].title: label(item["other_class"]) if item.get("other_class") else "",
            titles["weeks"].title: "Not sure" if item.get("weeks") is None else f"{item['weeks']:g}",
            titles["outcome"].title: label(item.get("outcome")),
        }
        for item in items
    ]
    columns = [titles[name].title for name in ("drug", "other_class", "weeks", "outcome")]
    return pd.DataFrame(rows, columns=columns, dtype="string")


def render_answers(answers: dict[str, Any]) -> None:
    """The answers in the steps the patient walked, each question once; hidden questions left out."""
    for step in steps_for(answers):
        if step in (WELCOME, REVIEW):
            continue
        st.markdown(f"**{step.title}**")
        for section in step.sections:
            if answers.get(section) is None:
                continue
            fields = [field for sec, field in step.fields if sec == section and shown(answers, (sec, field))]
            plain = [field for field in fields if field != "preventives"]
            if plain:
                st.dataframe(answer_rows(answers, section, plain), hide_index=True, key=f"answers_{section}")
            if "preventives" in fields:
                st.dataframe(
                    preventive_rows(answers[section].get("preventives") or []),
                    hide_index=True,
                    key="answers_preventives",
                )

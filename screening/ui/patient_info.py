"""The patient information page (``/information``): the consultation, a treatment session, when results show,
the 12-week rhythm, common side effects and the warning signs to act on.

Reached from the questionnaire's welcome step and from the confirmation; no login. The words live in
``screening.care.information``; this page only lays them out, one h1 and an h2 per part like the wizard.
"""

import streamlit as st

from screening.care import information as words
from screening.ui import patient


def _points(points: tuple[str, ...]) -> None:
    if points:
        st.markdown("\n".join(f"- {point}" for point in points))


def page() -> None:
    st.html(patient.LOOK)
    st.markdown(f":small[{patient.CLINIC_LINE}]")
    st.title(words.TITLE, anchor=False)
    st.page_link(patient.questionnaire(), label=words.BACK_LABEL, icon=":material/arrow_back:")
    st.write(words.INTRO)
    for part in words.PARTS:
        st.header(part.heading, anchor=False)
        for paragraph in part.text:
            st.write(paragraph)
        _points(part.points)
        for paragraph in part.after:
            st.write(paragraph)
    st.header(words.WARNING_HEADING, anchor=False)
    st.write(words.WARNING_INTRO)
    with st.container(key="info_emergency"):
        st.error(
            words.EMERGENCY_INTRO + "\n" + "\n".join(f"- {sign}" for sign in words.EMERGENCY_SIGNS),
            icon=":material/emergency:",
        )
    with st.container(key="info_same_day"):
        st.warning(
            words.SAME_DAY_INTRO
            + "\n"
            + "\n".join(f"- {sign}" for sign in words.SAME_DAY_SIGNS)
            + "\n\n"
            + words.SAME_DAY_AFTER,
            icon=":material/call:",
        )
    st.write(words.CLOSING)
    st.page_link(patient.questionnaire(), label=words.BACK_LABEL, icon=":material/arrow_back:")


if __name__ == "__main__":
    page()

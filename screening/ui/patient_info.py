"""The patient information page (``/information``): the consultation, a treatment session, when results show,
the 12-week rhythm, common side effects and the warning signs to act on.

Reached from the questionnaire's welcome step and from the confirmation; no login. The words live in
``screening.care.information``; this page only lays them out, one h1 and an h2 per part like the wizard.
"""

import streamlit as st

from screening.care import information as words
from screening.ui import language, patient
from screening.ui.language import t
from screening.ui.widgets import language_switch


def _points(points: tuple[str, ...]) -> None:
    if points:
        st.markdown("\n".join(f"- {t(point)}" for point in points))


def _back() -> None:
    st.page_link(
        patient.questionnaire(),
        label=t(words.BACK_LABEL),
        icon=":material/arrow_back:",
        query_params=language.link_params(),
    )


def page() -> None:
    """In the patient's language (the switch here keeps the questionnaire's answers: they live in the session)."""
    st.html(patient.LOOK)
    language_switch()
    st.markdown(f":small[{t(patient.CLINIC_LINE)}]")
    st.title(t(words.TITLE), anchor=False)
    _back()
    st.write(t(words.INTRO))
    for part in words.PARTS:
        st.header(t(part.heading), anchor=False)
        for paragraph in part.text:
            st.write(t(paragraph))
        _points(part.points)
        for paragraph in part.after:
            st.write(t(paragraph))
    st.header(t(words.WARNING_HEADING), anchor=False)
    st.write(t(words.WARNING_INTRO))
    with st.container(key="info_emergency"):
        st.error(
            t(words.EMERGENCY_INTRO) + "\n" + "\n".join(f"- {t(sign)}" for sign in words.EMERGENCY_SIGNS),
            icon=":material/emergency:",
        )
    with st.container(key="info_same_day"):
        st.warning(
            t(words.SAME_DAY_INTRO)
            + "\n"
            + "\n".join(f"- {t(sign)}" for sign in words.SAME_DAY_SIGNS)
            + "\n\n"
            + t(words.SAME_DAY_AFTER),
            icon=":material/call:",
        )
    st.write(t(words.CLOSING))
    _back()


if __name__ == "__main__":
    page()

"""The app's entry point (`streamlit run app.py`): page setup and the list of pages.

Pages live in ``screening/ui``; the shared rule set and database are cached in
``screening/ui/resources.py``.
"""

import streamlit as st

from screening.care import information
from screening.ui import auth, not_found, patient


def main() -> None:
    """One run of the app: the pages, the one shown, its layout."""
    questionnaire = patient.questionnaire()
    pages = [
        questionnaire,
        st.Page(patient.INFORMATION, title=information.TITLE, url_path="information", visibility="hidden"),
        # Reached from the confirmation and the confirmation mail; not a menu entry (staff have their Video calls page).
        st.Page(auth.HERE / "my_call.py", title="Your video call", url_path="video_call", visibility="hidden"),
        *auth.staff_pages(),
    ]
    pages += not_found.for_unknown_address(pages, questionnaire)
    # One flat list: Streamlit's section headers put non-list items inside the menu's <ul> (an axe list violation).
    # Patients get no menu at all (staff open /staff); a signed-in staff member gets the sidebar menu.
    page = st.navigation(pages, position="sidebar" if st.session_state.get(auth.ROLE) else "hidden")
    # One layout per run, chosen for the page: a centered call followed by the page's own wide one left
    # long staff pages centered in a tall window (Streamlit 1.67).
    st.set_page_config(page_title="Botox pre-screening", page_icon=":material/neurology:", layout=auth.layout_of(page))
    auth.arriving(page)
    page.run()


# Streamlit runs this file as "__main__". The export worker process (screening/exports/worker.py) is
# started by multiprocessing, which imports this file again as "__mp_main__": that must build no page.
if __name__ == "__main__":
    main()

"""Our own "page not found": an address that names no page gets a plain page with a way to the questionnaire,
not Streamlit's "Page not found... running the app's main page" popup.

Streamlit resolves the page from the address's path only when ``st.navigation`` runs, and shows its popup
when none matches; so for an unknown one-segment path, the page list offers a hidden page at exactly that
path. The path asked for is read from the script run's page manager (Streamlit has no public API for it),
and is only compared and used as a route, never shown or logged.
"""

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from screening.i18n import N_
from screening.ui import language
from screening.ui.language import t

TITLE = N_("Page not found")
"""The page's name in the page list (the browser tab); the page itself says it in the patient's language."""


def _asked_path() -> str:
    ctx = get_script_run_ctx()
    return (ctx.pages_manager.intended_page_name or "").strip("/") if ctx else ""


def for_unknown_address(pages: list[st.Page], home: st.Page) -> list[st.Page]:
    """The extra (hidden) page for this run's address when no page has it; nothing otherwise."""
    asked = _asked_path()
    known = {page.url_path for page in pages}
    if not asked or asked in known or "/" in asked or "\0" in asked:
        return []
    return [st.Page(_page_for(home), title=TITLE, url_path=asked, visibility="hidden")]


def _page_for(home: st.Page) -> Callable[[], None]:
    def not_found() -> None:
        language.mark_page()  # no switch here: a rerun of this page leaves the unknown address (to the questionnaire)
        st.title(t(TITLE), anchor=False)
        st.write(t("There is no page at this address. It may have been typed wrongly or moved."))
        st.page_link(home, label=t("Go to the pre-screening questionnaire"), icon=":material/assignment:")

    return not_found

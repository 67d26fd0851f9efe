"""The patient's language on the patient pages: the current choice, ``t()`` to draw text in it and the
page's ``lang`` attribute (the switch is a widget: ``screening.ui.widgets.language_switch``).

The choice lives in the session (it also travels with the autosave, the saved draft and the
submission). Staff pages never call ``t``: they stay English.
"""

import streamlit as st

from screening.i18n import ENGLISH, LANGUAGES, known, translate

LANGUAGE = "language"
SWITCH = "language_switch"
PARAM = "lang"
"""An address may name the language (``/video_call?lang=es``, the confirmation's link): a new page load is a new
session, which would otherwise start in English."""
HTML_LANG = """<script>
(() => {
  const root = document.documentElement;
  const wanted = 'LANG';
  window.patientLang = wanted;
  if (root.lang !== wanted) { root.lang = wanted; }
  if (!window.patientLangWatch) {
    window.patientLangWatch = new MutationObserver(() => {
      if (root.lang !== window.patientLang) { root.lang = window.patientLang; }
    });
    window.patientLangWatch.observe(root, {attributes: true, attributeFilter: ['lang']});
  }
})();
</script>"""
"""Streamlit's page says lang="en" whatever it shows; a screen reader reads Spanish with English sounds unless the
page says "es". A constant script (only the language code, one of ours, is put in), kept right if anything resets it."""


def current() -> str:
    if LANGUAGE not in st.session_state and st.query_params.get(PARAM) in LANGUAGES:
        st.session_state[LANGUAGE] = st.query_params[PARAM]
    return known(st.session_state.get(LANGUAGE))


def link_suffix() -> str:
    """What a link to another patient page adds so it opens in this language (nothing for English)."""
    return "" if current() == ENGLISH else f"?{PARAM}={current()}"


def link_params() -> dict[str, str]:
    """The same for ``st.page_link``'s ``query_params``."""
    return {} if current() == ENGLISH else {PARAM: current()}


def t(text: str) -> str:
    """Patient text in the patient's language (English text is the catalog's key)."""
    return translate(text, current())


def use(language: str | None) -> None:
    """Set the language (from a resumed or autosaved draft)."""
    st.session_state[LANGUAGE] = known(language)
    st.session_state.pop(SWITCH, None)


def mark_page(language: str | None = None) -> None:
    """The page's ``lang``: the patient's language, or the one given (staff pages are English)."""
    st.html(HTML_LANG.replace("LANG", known(language or current())), unsafe_allow_javascript=True)

"""A submission's files for the consultation and the EHR: the summary (PDF) and the FHIR bundle (JSON), for a first
screening and a return visit alike (each has its own layout and its own Questionnaire).

Each is built, and its audit row written, by the export service only when its button is
pressed; a download button then hands the file over. Nothing is built on a mere page view.
"""

import json
from collections.abc import Callable

import streamlit as st

from screening.casework import Detail
from screening.exports import service
from screening.exports.pdf import FontMissingError
from screening.staff import StaffSession
from screening.ui import auth, resources


def downloads(me: StaffSession, found: Detail) -> None:
    """Each file is built (and audited) only when asked for; a download button then hands it over."""
    pdf, bundle = st.columns(2)
    with pdf:
        _offer(
            "Download summary (PDF)",
            lambda: service.summary(resources.database(), me, found.reference),
            f"summary-{found.reference}.pdf",
            "application/pdf",
        )
    with bundle:
        _offer(
            "Download FHIR (JSON)",
            lambda: json.dumps(service.fhir_bundle(resources.database(), me, found.reference), indent=2).encode(),
            f"fhir-{found.reference}.json",
            "application/fhir+json",
        )


def _offer(title: str, build: Callable[[], bytes], file_name: str, mime: str) -> None:
    if not st.button(title, key=f"make_{file_name}", icon=":material/download:"):
        return
    try:
        data = build()
    except PermissionError as exc:
        auth.refused(exc)
        return
    except FontMissingError as exc:  # a server set up without the PDF fonts: say which packages, no traceback
        st.error(str(exc))
        return
    st.download_button(
        f"Save {file_name}", data, file_name, mime, on_click="ignore", type="primary", key=f"save_{file_name}"
    )

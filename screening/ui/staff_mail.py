"""Mail: what the app sent, what is waiting for a retry and what failed, for every staff role.

Each opening of the page is audited by the service (not each redraw or filter change);
sending a failed mail again is audited too. Addresses patients typed are masked, and
every cell is shown literally (a dataframe, never markdown).
"""

import pandas as pd
import streamlit as st

from screening.messaging import courier
from screening.messaging.messages import KIND_LABELS
from screening.messaging.outbox import SHOWN, STATUS_LABELS, MailLine, MailPage, overview, try_again
from screening.staff import StaffSession
from screening.ui import auth, resources
from screening.ui.staff_common import attempt, current_page, first_page, pager, show_outcome

MAIL_PAGE = "staff_mail_page"
SHOW = "staff_mail_show"
PAGE_SIZE = 100
SHOW_LABELS = {"all": "All mail", "failed": "Failed", "waiting": "Waiting", "sent": "Sent"}
# The server's reply is the longest cell: it gets the room, and the chosen failed mail's reply is shown in full below.
WIDTHS = {"Problem": st.column_config.TextColumn(width="large"), "Attempts": st.column_config.TextColumn(width="small")}
COLUMNS = ["Queued", "What", "To", "Reference", "Status", "Attempts", "Next try", "Sent", "Problem"]


def page() -> None:
    me = auth.require_staff()
    st.header("Mail")
    show_outcome()
    show = st.selectbox(
        "Show",
        list(SHOWN),
        format_func=SHOW_LABELS.__getitem__,
        key=SHOW,
        on_change=first_page,
        args=(MAIL_PAGE,),
        width=240,
    )
    first_opening = st.session_state.get(auth.MAIL_VIEWED) is None
    try:
        found = overview(
            resources.database(),
            me,
            show=show,
            page=current_page(MAIL_PAGE),
            page_size=PAGE_SIZE,
            record_view=first_opening,
        )
    except PermissionError as exc:
        auth.refused(exc)
        return
    st.session_state[auth.MAIL_VIEWED] = True
    _settings_line(found)
    _counts(found)
    st.dataframe(mail_frame(found.rows), hide_index=True, key="mail_table", column_config=WIDTHS)
    pages = max(1, -(-found.total // found.page_size))
    pager(MAIL_PAGE, found.page, pages, found.total, "message")
    _send_again(me, [line for line in found.rows if line.can_try_again])


def _settings_line(found: MailPage) -> None:
    if found.server is None:
        st.info(
            "Mail is off: nothing is queued or sent. To turn it on, set SMTP_URL (or SMTP_HOST and the other "
            "SMTP_ settings) and SMTP_FROM where the app runs, then restart it."
        )
        return
    oncall = found.oncall or "nobody (SCREENING_ONCALL_EMAIL is not set)"
    st.text(f"Sending through {found.server}. Alerts about new urgent submissions go to {oncall}.")


def _counts(found: MailPage) -> None:
    with st.container(horizontal=True):
        for status in ("sent", "queued", "failed", "expired"):
            st.metric(STATUS_LABELS[status], found.counts[status], width="content")


def mail_frame(rows: list[MailLine]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Queued": f"{line.created_at:%Y-%m-%d %H:%M} UTC",
                "What": KIND_LABELS.get(line.kind, line.kind),
                "To": line.recipient,
                "Reference": line.reference or "",
                "Status": STATUS_LABELS[line.status],
                "Attempts": str(line.attempts),
                "Next try": f"{line.next_attempt_at:%H:%M} UTC" if line.next_attempt_at else "",
                "Sent": f"{line.sent_at:%Y-%m-%d %H:%M} UTC" if line.sent_at else "",
                "Problem": line.problem or "",
            }
            for line in rows
        ],
        columns=COLUMNS,
        dtype="string",
    )


def _describe(line: MailLine) -> str:
    return f"{KIND_LABELS.get(line.kind, line.kind)} to {line.recipient}, queued {line.created_at:%Y-%m-%d %H:%M} UTC"


def _send_again(me: StaffSession, failed: list[MailLine]) -> None:
    """A failed mail (given up after its retries, or refused) goes back in the queue and is tried at once."""
    if not failed:
        return
    by_id = {line.id: line for line in failed}
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.selectbox("Failed mail", list(by_id), format_func=lambda i: _describe(by_id[i]), key="again_id")
        pressed = st.button("Send again")
    if chosen is not None:
        st.text(f"The server said: {by_id[chosen].problem or 'nothing'}")
    if pressed and chosen is not None:
        db = resources.database()
        attempt(lambda: try_again(db, me, chosen), "Queued again: it is sent within a minute.")
        courier.wake(db)
        st.rerun()


if __name__ == "__main__":
    page()

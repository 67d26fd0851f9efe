"""One model field drawn as one labelled widget, seeded from the draft and written back to it.

The widget is chosen from the field's type, its label is the field's ``title`` and its
"why we ask" line the ``description``, so the page and the model cannot disagree.
A widget's own state is only a copy: it is seeded from the draft when it first
appears and its value is written back on every run.
"""

from collections.abc import Callable, Sequence
from datetime import date
from enum import Enum, StrEnum
from types import UnionType
from typing import Any, Union, get_args, get_origin

import streamlit as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from screening.choices import YesNoUnsure, label
from screening.i18n import LANGUAGES, translate
from screening.ui import language
from screening.ui.draft import Errors, optional_number
from screening.ui.language import SWITCH, t

KEY_PREFIX = "w:"
UNSURE_SUFFIX = ":unsure"
WRITERS = "widget_writers"
MAX_RADIO_OPTIONS = 7
EARLIEST_BIRTH = date(1900, 1, 1)


def widget_key(path: str) -> str:
    return KEY_PREFIX + path


def forget_widgets(prefix: str = "") -> None:
    """Drop widget copies so the next run seeds them from the draft again (after a step change or a removal)."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(KEY_PREFIX + prefix)]:
        del st.session_state[key]
    writers = st.session_state.get(WRITERS, {})
    for key in [k for k in writers if k.startswith(KEY_PREFIX + prefix)]:
        del writers[key]


def _kept(key: str, write: Callable[[Any], None], value: Any) -> None:
    """Write a widget's value into the draft now, and keep how, for ``write_back``."""
    write(value)
    st.session_state.setdefault(WRITERS, {})[key] = write


def write_back() -> None:
    """Every drawn widget's latest value into the draft, from a button's ``on_click``.

    A number or text typed just before tapping Next reaches the server with the tap, so the last run never
    wrote it; writing it here lets Next draw the next step in the same run (one script run, not two). The
    writers are the very functions the drawing used, kept across runs (a run cut short by the tap still
    leaves the earlier run's), so a value is converted one way only.
    """
    for key, write in list(st.session_state.get(WRITERS, {}).items()):
        if key in st.session_state:
            write(st.session_state[key])


def _base_type(info: FieldInfo) -> Any:
    annotation = info.annotation
    if get_origin(annotation) in (Union, UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    return annotation


def _constraint(info: FieldInfo, name: str) -> Any:
    return next((getattr(m, name) for m in info.metadata if hasattr(m, name)), None)


def _enum_of(kind: Any) -> type[Enum] | None:
    return kind if isinstance(kind, type) and issubclass(kind, StrEnum) else None


def _list_enum(kind: Any) -> type[Enum] | None:
    return _enum_of(get_args(kind)[0]) if get_origin(kind) is list else None


def _seed(key: str, store: dict[str, Any], field: str, convert: Callable[[Any], Any] = lambda v: v) -> None:
    if key not in st.session_state and store.get(field) is not None:
        st.session_state[key] = convert(store[field])


def _store(store: dict[str, Any], field: str, value: Any) -> None:
    """An empty widget means "not answered yet", which is a missing key, not a stored empty value."""
    if value is None or value == "":
        store.pop(field, None)
    else:
        store[field] = value


def _number(
    store: dict[str, Any], field: str, info: FieldInfo, kind: type, key: str, title: str, *, unsure: bool
) -> None:
    """A number box; an optional number also gets a "Not sure" box that stores ``None``."""
    unsure_key = key + UNSURE_SUFFIX
    if unsure and unsure_key not in st.session_state:
        st.session_state[unsure_key] = field in store and store[field] is None
    is_unsure = unsure and st.session_state[unsure_key]
    if is_unsure:
        st.session_state[key] = None  # ticking "Not sure" empties the box on the next run
    _seed(key, store, field, kind)  # never pre-filled: a 0 nobody typed would read as an answer
    unit = (info.json_schema_extra or {}).get("unit") if isinstance(info.json_schema_extra, dict) else None
    value = st.number_input(
        title,
        value=None,
        min_value=kind(_constraint(info, "ge") or 0),
        max_value=kind(le) if (le := _constraint(info, "le")) is not None else None,
        step=kind(0.5 if kind is float else 1),
        format="%g" if kind is float else "%d",  # 6 hours shows as 6 (not 6.0) when the step is seen again
        placeholder=t(str(unit)) if unit else None,
        key=key,
        disabled=is_unsure,
    )
    if unsure:
        st.checkbox(t("Not sure"), key=unsure_key)

    def write(typed: Any) -> None:
        if unsure and st.session_state.get(unsure_key):
            store[field] = None
        else:
            _store(store, field, None if typed is None else kind(typed))

    _kept(key, write, value)


def why_we_ask(info: FieldInfo) -> None:
    """Small, in a softer colour than the question (patient.css) but still above the WCAG 4.5:1 contrast
    ratio, which Streamlit's grey caption is not."""
    if info.description:
        why = t("Why we ask:")
        st.markdown(f":small[{why} {t(info.description)}]")


def question_block(path: str) -> Any:
    """One question with its error and its "why we ask" line, drawn tight together (patient.css spaces the
    questions apart and styles the line); the key also lets the page find the first question with an error."""
    return st.container(gap="xxsmall", key="q_" + path.replace(".", "_"))


def birth_date_input(title: str, key: str) -> date | None:
    """US order (MM/DD/YYYY), as the clinic's patients write dates."""
    return st.date_input(
        t(title), value=None, min_value=EARLIEST_BIRTH, max_value=date.today(), key=key, format="MM/DD/YYYY"
    )


def _choice(title: str, options: Sequence[str], key: str, format_func: Callable[[Any], str], horizontal: bool) -> Any:
    if len(options) <= MAX_RADIO_OPTIONS:
        return st.radio(title, options, index=None, format_func=format_func, key=key, horizontal=horizontal)
    return st.selectbox(title, options, index=None, format_func=format_func, key=key, placeholder=t("Choose one"))


def render_field(
    store: dict[str, Any],
    model: type[BaseModel],
    field: str,
    path: str,
    errors: Errors,
    *,
    options: Sequence[str] | None = None,
    format_func: Callable[[Any], str] | None = None,
    why: bool = True,
    title: str | None = None,
) -> Any:
    """Draw ``model.field`` for the answers in ``store`` (keyed ``path``); returns the answer now in ``store``.

    ``why=False`` leaves out the "why we ask" line, for questions that share one line as a group;
    ``title`` words the question for the patient's pathway (the answer means the same).
    """
    info = model.model_fields[field]
    kind = _base_type(info)
    key = widget_key(path)
    title = t(title or info.title or field)
    named = format_func or label
    chosen = language.current()  # read now: Streamlit may call the function outside this run

    def words(value: Any) -> str:
        """Options are stored values; their words are drawn in the patient's language."""
        return translate(named(value), chosen)

    with question_block(path):
        if kind is bool:
            _seed(key, store, field)
            _kept(key, lambda ticked: store.__setitem__(field, bool(ticked)), st.checkbox(title, key=key))
        elif kind in (int, float):
            _number(store, field, info, kind, key, title, unsure=optional_number(info))
        elif kind is date:
            _seed(key, store, field, date.fromisoformat)
            born = birth_date_input(title, key)
            _kept(key, lambda day: _store(store, field, day.isoformat() if day else None), born)
        elif (many := _list_enum(kind)) is not None:
            _seed(key, store, field)
            chosen_many = st.multiselect(
                title, [m.value for m in many], format_func=words, key=key, placeholder=t("Choose")
            )
            _kept(key, lambda values: store.__setitem__(field, list(values)), chosen_many)
        elif options is not None or _enum_of(kind) is not None:
            _seed(key, store, field)
            values = options if options is not None else [m.value for m in kind]
            picked = _choice(title, values, key, words, horizontal=kind is YesNoUnsure)
            _kept(key, lambda value: _store(store, field, value), picked)
        else:
            _seed(key, store, field)
            limit = _constraint(info, "max_length")
            typed = st.text_input(title, key=key, max_chars=limit)
            _kept(key, lambda text: _store(store, field, (text or "").strip()), typed)
        if path in errors:
            st.error(t(errors[path]), icon=":material/error:")
        if why:
            why_we_ask(info)
    return store.get(field)


def _switched() -> None:
    chosen = st.session_state.get(SWITCH)
    if chosen and chosen != language.current():
        st.session_state[language.LANGUAGE] = chosen
        forget_widgets()  # every widget is drawn again from the draft, with its words in the new language


def language_switch() -> None:
    """English / Español, at the top of every patient page: the answers stay, only the words change."""
    st.session_state.setdefault(SWITCH, language.current())
    st.segmented_control(
        "Language / Idioma",
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        key=SWITCH,
        on_change=_switched,
        label_visibility="collapsed",
        required=True,
    )
    language.mark_page()

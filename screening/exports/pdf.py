"""The one-page consultation summary (PDF), laid out like the facts of a prior-authorisation letter.

Built with fpdf2 from a stored submission's answers and result (never re-screened: the
page shows what staff saw). A return visit has a layout of its own: the patient (from the
first screening, which holds who they are), the course of treatment, the pathway's response
against the baseline as the return rules compute it, effects since the last injection and the
patient's wish to continue. Black text on white, bold headings and ruled tables, so it
prints well in black and white. Everything the patient typed goes in as plain text
(fpdf2 interprets no markup unless asked), and long text wraps inside its cell.

Fonts are embedded (only the glyphs used): DejaVu Sans from Debian's fonts-dejavu-core
for Latin, Greek and Cyrillic, Droid Sans Fallback from fonts-droid-fallback for Chinese
and Japanese names, and Nanum Gothic from fonts-nanum for Korean ones. They are read from
disk, never fetched.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from screening.answers import (
    PATHWAY_SECTIONS,
    HeadachePattern,
    PreventiveTried,
    RedFlags,
    Safety,
    Submission,
    section_model,
)
from screening.branching import ACUTE_KINDS
from screening.catalogue import ADEQUATE_TRIAL_WEEKS, OTHER_DRUG, drug_class, drug_label, trial_verdict
from screening.choices import PreventiveClass, PreventiveOutcome, YesNoUnsure, label
from screening.returns.answers import (
    RETURN_PATHWAY_SECTIONS,
    Effects,
    MigraineNow,
    Plans,
    ReturnVisit,
    Spread,
    is_return,
    read_visit,
)
from screening.returns.derived import return_values
from screening.triage import TRIAGE_LABELS, Triage

FONT_DIRS = tuple(Path("/usr/share/fonts/truetype") / folder for folder in ("dejavu", "droid", "nanum"))
FONTS = {("DejaVu", ""): "DejaVuSans.ttf", ("DejaVu", "B"): "DejaVuSans-Bold.ttf"}
FALLBACKS = (("DroidFallback", "DroidSansFallbackFull.ttf"), ("Nanum", "NanumGothic.ttf"))
"""Tried in order for a character DejaVu lacks: Droid Sans Fallback for Chinese and Japanese, Nanum Gothic for
Korean (Droid has hardly any Hangul syllables: a Korean name came out as empty boxes)."""
FALLBACK_FROM = "\u2e80"
"""DejaVu covers Latin, Greek, Cyrillic, punctuation and more, but no CJK or Hangul syllables (from U+2E80); the
fallback fonts take about half a second to load, so they are loaded only for a summary whose text needs them."""
FONT_PACKAGES = "fonts-dejavu-core fonts-droid-fallback fonts-nanum"
PAGE_FORMAT = "Letter"
"""US Letter (215.9 x 279.4 mm), for a US clinic: printed at actual size on A4 it loses only 3 mm of each side
margin, whereas an A4 page printed on Letter loses its bottom 18 mm (the footer and the last lines)."""
PAPER_EDGE = 9.6
"""The footer ends this far above the paper's edge (mm): many printers cannot print the last 5 mm, and the footer
holds the patient's name, date of birth, the page count and the disclaimer."""
FOOTER_LINE = 3.2
BODY, SMALL, HEADING, TITLE = 8.5, 7, 10, 13
LINE = 4.2
HEAD_FILL = (225, 225, 225)
HEADACHE_NUMBERS = ("headache_days", "migraine_days", "hours_per_day", "pattern_months", "acute_days")
NOT_GIVEN = "not given"
OTHER_PATHWAY_SECTIONS = tuple(s for s in PATHWAY_SECTIONS if s not in ("headache", "treatments"))
"""Pathway sections without a layout of their own here: shown as question / answer rows."""


class FontMissingError(RuntimeError):
    """The Debian font packages are not installed; the message says which to install."""


@dataclass(frozen=True)
class SummaryInput:
    reference: str
    received: datetime
    answers: Mapping[str, Any]
    """The stored answers (``Submission`` as JSON)."""
    result: Mapping[str, Any]
    """The stored result (``Result.to_dict``): triage, flags with reason and source, rule set."""
    printed_by: str
    printed_at: datetime
    clinic_zone: tzinfo = UTC
    """The clinic's time zone (``Settings.clinic_timezone``): a payer reads the date screened as the clinic's date;
    an evening submission in New York is the next day in UTC."""
    patient: Mapping[str, Any] | None = None
    """Answers that say who the patient is, when ``answers`` do not: a return visit's first screening (empty when
    its data was erased)."""

    @property
    def person(self) -> Mapping[str, Any]:
        """Where the name, date of birth and contact come from."""
        return self.answers if self.patient is None else self.patient


def _when(moment: datetime, zone: tzinfo) -> str:
    """The clinic's date and time with its zone, and UTC beside it (the staff pages' times are UTC)."""
    utc = moment.astimezone(UTC)
    local = utc.astimezone(zone)
    if local.tzname() == "UTC":
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({utc:%Y-%m-%d %H:%M} UTC)"


def _font_path(file: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / file).exists():
            return folder / file
    raise FontMissingError(f"Font {file} not found: install the Debian packages {FONT_PACKAGES}.")


class _Page(FPDF):
    def __init__(self, footer_lines: tuple[str, str], *, fallback: bool) -> None:
        super().__init__(format=PAGE_FORMAT, unit="mm")
        self.footer_lines = footer_lines
        self.set_margins(14, 12, 14)
        for (family, style), file in FONTS.items():
            self.add_font(family, style, str(_font_path(file)))
        if fallback:
            for family, file in FALLBACKS:
                self.add_font(family, "", str(_font_path(file)))
            self.set_fallback_fonts([family for family, _ in FALLBACKS], exact_match=False)
        self.footer_height = 2 * FOOTER_LINE

    def first_page(self) -> None:
        """The first page, and the footer measured on it (two lines, more for a long name), so that the body stops
        above the footer on every page."""
        self.add_page()
        self.set_font("DejaVu", size=SMALL)
        who, notice = self.footer_lines
        measured = (f"{who} · page 99 of 99", notice)
        lines = sum(len(self.multi_cell(0, FOOTER_LINE, text, dry_run=True, output="LINES")) for text in measured)
        self.footer_height = lines * FOOTER_LINE
        self.set_auto_page_break(auto=True, margin=PAPER_EDGE + self.footer_height + 2)
        self.set_font("DejaVu", size=BODY)

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        """Left-aligned unless told otherwise: fpdf2 justifies by default, which spreads short lines apart."""
        kwargs.setdefault("align", "L")
        return super().multi_cell(*args, **kwargs)

    def footer(self) -> None:
        self.set_y(-(PAPER_EDGE + self.footer_height))
        self.set_font("DejaVu", size=SMALL)
        who, notice = self.footer_lines
        for text in (f"{who} · page {self.page_no()} of {{nb}}", notice):
            self.multi_cell(0, FOOTER_LINE, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _number(value: Any, unit: str = "") -> str:
    if value is None:
        return "not sure"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}".strip()


def _unit(model: type, field: str) -> str:
    extra = model.model_fields[field].json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(1.2)
    pdf.set_font("DejaVu", "B", HEADING)
    pdf.cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(0.8)
    pdf.set_font("DejaVu", size=BODY)


def _pairs(pdf: FPDF, rows: Sequence[tuple[str, str]], widths: tuple[float, float]) -> None:
    """Label / value lines from the left margin, the value wrapping in its own column."""
    with pdf.table(
        width=sum(widths),
        col_widths=widths,
        align="LEFT",
        first_row_as_headings=False,
        borders_layout="NONE",
        text_align="LEFT",
        line_height=LINE,
        padding=(0.3, 1, 0.3, 0),
    ) as table:
        for name, value in rows:
            row = table.row()
            row.cell(name, style=FontFace(emphasis="BOLD"))
            row.cell(value)


def _table(pdf: FPDF, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> None:
    with pdf.table(
        col_widths=tuple(widths),
        headings_style=FontFace(emphasis="BOLD", fill_color=HEAD_FILL),
        line_height=LINE,
        padding=(0.5, 1),
        borders_layout="ALL",
        text_align="LEFT",
    ) as table:
        for line in (header, *rows):
            row = table.row()
            for text in line:
                row.cell(text)


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%m/%d/%Y") if value else NOT_GIVEN


def _born(data: SummaryInput) -> str:
    """The date of birth, and the age the first screening stored (a return visit's would be out of date)."""
    about = data.person.get("about") or {}
    age = about.get("age") if data.patient is None else None
    text = _day(about.get("date_of_birth"))
    return f"{text} (age {age})" if age is not None else text


def _patient(pdf: FPDF, data: SummaryInput, *more: tuple[str, str]) -> None:
    contact = data.person.get("contact") or {}
    about = data.person.get("about") or {}
    seeking = data.answers.get("seeking") or {}
    times = ", ".join(label(t) for t in contact.get("preferred_times") or []) or NOT_GIVEN
    reason = label(seeking.get("reason"))
    if seeking.get("spasticity_cause"):
        reason += f" (cause: {label(seeking['spasticity_cause'])})"
    left = [
        ("Patient", str(contact.get("name", ""))),
        ("Date of birth", _born(data)),
        ("Sex", label(about.get("sex"))),
        ("Seeking help for", reason),
        *more,
    ]
    right = [
        ("Phone", str(contact.get("phone") or NOT_GIVEN)),
        ("Email", str(contact.get("email") or NOT_GIVEN)),
        ("Contact by", label(contact.get("preferred_method"))),
        ("Free for a call", times),
    ]
    top, margin = pdf.get_y(), pdf.l_margin
    half = pdf.epw / 2
    _pairs(pdf, left, (31, half - 33))
    bottom = pdf.get_y()
    pdf.set_y(top)
    pdf.set_left_margin(margin + half)
    _pairs(pdf, right, (26, half - 26))
    pdf.set_left_margin(margin)
    pdf.set_y(max(bottom, pdf.get_y()))


def _headache(pdf: FPDF, headache: Mapping[str, Any]) -> None:
    _heading(pdf, "Headache pattern (average of the last 3 months, as reported)")
    fields = HeadachePattern.model_fields
    numbers = [(fields[f].title or f, _number(headache.get(f), _unit(HeadachePattern, f))) for f in HEADACHE_NUMBERS]
    _table(pdf, ("Criterion", "Patient's answer"), numbers, (150, 32))
    _acute_kinds(pdf, headache)


def _acute_kinds(pdf: FPDF, given: Mapping[str, Any]) -> None:
    """One line: the days with each kind of attack medicine taken (a first screening's or a return visit's)."""
    fields = HeadachePattern.model_fields
    kinds = [
        f"{(fields[k].title or k).removeprefix('Days a month with ')}: {_number(given.get(k))}"
        for k in ACUTE_KINDS
        if given.get(k) != 0
    ]
    pdf.ln(0.6)
    pdf.multi_cell(0, LINE, "Acute medicine days a month by kind: " + ("; ".join(kinds) or "none"))


def _class_name(item: Mapping[str, Any]) -> str:
    typed = PreventiveClass(item["other_class"]) if item.get("other_class") else None
    return label(drug_class(item["drug"], typed))


def _helping(item: Mapping[str, Any]) -> YesNoUnsure | None:
    return YesNoUnsure(item["helping"]) if item.get("helping") else None


def _preventive_row(item: Mapping[str, Any]) -> tuple[str, ...]:
    typed = PreventiveClass(item["other_class"]) if item.get("other_class") else None
    outcome = PreventiveOutcome(item["outcome"])
    counted, counts, why, _ = trial_verdict(item["drug"], typed, item.get("weeks"), outcome, _helping(item))
    verdict = {True: "Yes", False: "No", None: "Unclear"}[counts]
    name = str(item.get("other_name") or "") if item["drug"] == OTHER_DRUG else drug_label(item["drug"])
    return (
        name,
        _class_name(item) + (f" (counts as {counted})" if counted else ""),
        _number(item.get("weeks")),
        label(outcome),
        f"{verdict}: {why}",
    )


def _step_therapy(treatments: Mapping[str, Any]) -> str:
    """The payer's question in its own terms: how many classes failed or could not be used, which, and CGRP now."""
    tried: set[str] = set()
    cgrp_now = treatments.get("current_cgrp")
    for item in treatments.get("preventives") or []:
        typed = PreventiveClass(item["other_class"]) if item.get("other_class") else None
        outcome = PreventiveOutcome(item["outcome"])
        counted, counts, _, _ = trial_verdict(item["drug"], typed, item.get("weeks"), outcome, _helping(item))
        if counted and counts:
            tried.add(counted)
        cgrp = drug_class(item["drug"], typed) is PreventiveClass.cgrp_antibody
        if cgrp and outcome is PreventiveOutcome.still_taking:
            cgrp_now = YesNoUnsure.yes
    return (
        f"Preventive classes adequately tried (inadequate response after at least {ADEQUATE_TRIAL_WEEKS} weeks, "
        f"not tolerated, or contraindicated): {len(tried)} ({', '.join(sorted(tried)) or 'none'}). "
        f"Currently on a CGRP antibody: {label(cgrp_now)}."
    )


def _preventives(pdf: FPDF, treatments: Mapping[str, Any]) -> None:
    items = treatments.get("preventives") or []
    _heading(pdf, "Step therapy: preventive medicines tried")
    titles = PreventiveTried.model_fields
    header = ("Drug", "Class", "Weeks", titles["outcome"].title or "Outcome", "Counts as a class tried")
    if items:
        _table(pdf, header, [_preventive_row(item) for item in items], (38, 42, 15, 40, 47))
    else:
        pdf.multi_cell(0, LINE, "No preventive medicine reported.")
    pdf.ln(0.6)
    pdf.multi_cell(0, LINE, _step_therapy(treatments))


def _answer_text(value: Any, unit: str) -> str:
    if isinstance(value, list):
        return ", ".join(label(v) for v in value) or "none"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value, unit)
    return label(value)


def _answered(pdf: FPDF, title: str, model: type, given: Mapping[str, Any]) -> None:
    """A section's answers as question / answer rows: the other pathways' questions and earlier injections."""
    rows = [
        (info.title or name, _answer_text(given[name], _unit(model, name)))
        for name, info in model.model_fields.items()
        if given.get(name) is not None
    ]
    if rows:
        _heading(pdf, title)
        _table(pdf, ("Question", "Answer"), rows, (130, 52))


NEUROMUSCULAR_KIND = "Which nerve-muscle disease?"
"""The follow-up's own title is "Which one?", which read on paper under the last question (blood thinners) would
seem to ask about that; the summary names what it asks."""


def _concerns(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Warning signs, contraindications and precautions answered yes or not sure (pregnancy questions too), each
    once; the nerve-muscle disease's kind right under its question, whatever it is ("Not sure" included)."""
    found = []
    sections = (("red_flags", RedFlags), ("safety", Safety), ("about", Submission.model_fields["about"].annotation))
    for section, model in sections:
        given = answers.get(section) or {}
        for name, info in model.model_fields.items():
            if (section, name) == ("safety", "neuromuscular_kind"):
                continue
            if given.get(name) in (YesNoUnsure.yes, YesNoUnsure.not_sure):
                found.append((info.title or name, label(given[name])))
            if (section, name) == ("safety", "neuromuscular") and given.get("neuromuscular_kind"):
                found.append((NEUROMUSCULAR_KIND, label(given["neuromuscular_kind"])))
    return found


def _result(pdf: FPDF, result: Mapping[str, Any]) -> None:
    triage = TRIAGE_LABELS[Triage(result["triage"])]
    _heading(pdf, f"Screening result: {triage}")
    flags = [
        (f"{flag['title']} ({flag['id']}, {flag['severity']})", str(flag["reason"]), str(flag["source"]))
        for flag in result.get("flags", [])
    ]
    if flags:
        _table(pdf, ("Flag", "Reason", "Source"), flags, (62, 80, 40))
    else:
        pdf.multi_cell(0, LINE, "No rule fired; the rule set's default triage applies.")


def _started(data: SummaryInput, title: str, done: str) -> _Page:
    """The page with its title, the line naming the submission, rule set and printing, and its footer."""
    ruleset = data.result.get("ruleset", {})
    name = str((data.person.get("contact") or {}).get("name", ""))
    footer = (  # every page names the patient twice over: a page that comes loose is still theirs
        f"{name} · born {_born(data)} · reference {data.reference}",
        "Pre-screening only, not a diagnosis; a clinician decides. "
        f"Rule set {ruleset.get('name', '')} {ruleset.get('version', '')} (hash on page 1).",
    )
    text = json.dumps([data.answers, data.person, data.result, data.printed_by], ensure_ascii=False)
    pdf = _Page(footer, fallback=any(char >= FALLBACK_FROM for char in text))
    pdf.set_title(f"Consultation summary {data.reference}")
    pdf.set_creator("Botox pre-screening")
    pdf.first_page()
    pdf.set_font("DejaVu", "B", TITLE)
    pdf.cell(0, 6.5, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=SMALL)
    pdf.multi_cell(
        0,
        3.4,
        f"Reference {data.reference} · {done} {_when(data.received, data.clinic_zone)} · "
        f"rule set version {ruleset.get('version', '')}, hash {ruleset.get('hash', '')} · "
        f"printed {_when(data.printed_at, data.clinic_zone)} by {data.printed_by}",
    )
    pdf.set_font("DejaVu", size=BODY)
    return pdf


def summary_pdf(data: SummaryInput) -> bytes:
    """The summary of one stored submission, from its stored answers and result as they are."""
    if is_return(dict(data.answers)):
        return _return_summary(data)
    pdf = _started(data, "Botox consultation: pre-screening summary", "screened")
    _heading(pdf, "Patient and contact")
    _patient(pdf, data)
    _result(pdf, data.result)  # on page 1 whatever follows: a longer summary must not push an urgent flag over
    headache = data.answers.get("headache")
    if isinstance(headache, Mapping):
        _headache(pdf, headache)
    if isinstance(data.answers.get("treatments"), Mapping):
        _preventives(pdf, data.answers["treatments"])
    for section in OTHER_PATHWAY_SECTIONS:
        if isinstance(data.answers.get(section), Mapping):
            _answered(pdf, label(PATHWAY_SECTIONS[section]), section_model(section), data.answers[section])
    if isinstance(data.answers.get("toxin"), Mapping):
        _answered(pdf, "Earlier botulinum toxin injections", section_model("toxin"), data.answers["toxin"])
    _yes_or_unsure(
        pdf,
        "Warning signs, contraindications and precautions answered yes or not sure",
        _concerns(data.answers),
        "None: every warning-sign and safety question was answered no.",
    )
    return bytes(pdf.output())


def _yes_or_unsure(pdf: FPDF, title: str, rows: list[tuple[str, str]], none: str) -> None:
    """The questions answered yes or not sure, or one line saying every one was answered no."""
    _heading(pdf, title)
    if rows:
        _table(pdf, ("Question", "Answer"), rows, (150, 32))
    else:
        pdf.multi_cell(0, LINE, none)


# --- a return visit ---------------------------------------------------------------------------------


def _course(pdf: FPDF, visit: ReturnVisit, derived: Mapping[str, Any]) -> None:
    course, fields = visit.course, type(visit.course).model_fields
    _heading(pdf, "Treatment so far")
    rows = [
        ("Treatment sessions (cycles), counting the last", _number(course.cycles)),
        ("Last injection", f"{course.last_injection:%m/%d/%Y}"),
        (
            f"Weeks from the last injection to these answers ({visit.linked.answered_on:%m/%d/%Y})",
            _number(derived["derived.weeks_since_injection"], "weeks"),
        ),
        (fields["last_outcome"].title or "last_outcome", label(course.last_outcome)),
    ]
    _table(pdf, ("Question", "Answer"), rows, (130, 52))


def _response(pdf: FPDF, visit: ReturnVisit, now: MigraineNow, derived: Mapping[str, Any]) -> None:
    """The headache pathway's response against the first screening's baseline, as the return rules compute it."""
    percent = derived["derived.response_percent"]
    fewer = derived["derived.days_fewer"]
    rows = [
        ("Headache days a month at the first screening (baseline)", _number(visit.linked.baseline_headache_days)),
        ("Headache days in the last month", _number(now.headache_days)),
        ("Response: (baseline - now) / baseline", "not known" if percent is None else f"{percent:g} %"),
        ("Headache days fewer than at baseline", "not known" if fewer is None else str(fewer)),
        ("Months in a row, from the last, under 15 headache days", _number(derived["derived.episodic_months"])),
        ("Migraine days in the last month", _number(now.migraine_days)),
        (
            "Headache days the month before / the month before that",
            f"{_number(now.month_2_days)} / {_number(now.month_3_days)}",
        ),
        ("Days with medicine for an attack in the last month", _number(now.acute_days)),
    ]
    _heading(pdf, "Response against baseline (headache)")
    _table(pdf, ("Measure", "Value"), rows, (130, 52))
    _acute_kinds(pdf, now.model_dump(mode="json"))


def _since(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Signs of spread and effects since the last injection answered yes or not sure."""
    found = []
    for section, model in (("spread", Spread), ("effects", Effects)):
        given = answers.get(section) or {}
        found += [
            (info.title or name, label(given[name]))
            for name, info in model.model_fields.items()
            if given.get(name) in (YesNoUnsure.yes, YesNoUnsure.not_sure)
        ]
    return found


def _return_summary(data: SummaryInput) -> bytes:
    visit = read_visit(dict(data.answers))
    assert isinstance(visit, ReturnVisit)
    derived = return_values(visit)
    pdf = _started(data, "Botox return visit: summary for the consultation", "answered")
    _heading(pdf, "Patient and contact")
    _patient(pdf, data, ("First screening", visit.linked.first_reference))
    _result(pdf, data.result)
    _course(pdf, visit, derived)
    if visit.migraine_now is not None:
        _response(pdf, visit, visit.migraine_now, derived)
    for section, pathway in RETURN_PATHWAY_SECTIONS.items():
        if section != "migraine_now" and isinstance(data.answers.get(section), Mapping):
            title = f"Response since the last treatment ({label(pathway).lower()})"
            _answered(pdf, title, section_model(section, ReturnVisit), data.answers[section])
    _yes_or_unsure(
        pdf,
        "Since the last injection: signs of spread and effects answered yes or not sure",
        _since(data.answers),
        "None: every question about spread and effects was answered no.",
    )
    _heading(pdf, "Next treatment")
    _pairs(pdf, [(Plans.model_fields["wants_continue"].title or "", label(visit.plans.wants_continue))], (130, 52))
    return bytes(pdf.output())

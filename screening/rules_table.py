"""The rule set's outcomes as a table for people: pathway x situation -> triage, built from the example cases.

The README's rules section shows this table between two markers, and a test checks it equals
what ``python -m screening rules table`` prints now, so the table cannot fall behind the rules:
every row is an example case that the loader has just run and seen pass.
"""

from screening.answers import PATHWAY_OF
from screening.choices import Pathway, Reason, VisitKind
from screening.ruleset import Case, RuleSet
from screening.triage import TRIAGE_LABELS

START = "<!-- rules-table:start (python -m screening rules table) -->"
END = "<!-- rules-table:end -->"
ORDER = {pathway: index for index, pathway in enumerate(Pathway)}
PATHWAY_NAMES = {
    Pathway.headache: "Headache",
    Pathway.dystonia: "Cervical dystonia",
    Pathway.spasticity: "Spasticity",
    Pathway.facial_pain: "Facial pain",
    Pathway.unsure: "Not sure yet",
}


def pathway_of(case: Case) -> Pathway:
    return PATHWAY_OF[Reason(case.answers["seeking"]["reason"])]


def _pathway_cell(case: Case) -> str:
    name = PATHWAY_NAMES[pathway_of(case)]
    return f"{name} (return visit)" if case.visit is VisitKind.return_ else name


def _order(case: Case) -> tuple[bool, int]:
    return case.visit is VisitKind.return_, ORDER[pathway_of(case)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def outcome_table(ruleset: RuleSet) -> str:
    """Markdown: one row per example case, grouped by pathway, with the triage staff see and the rules behind it."""
    cases = sorted(ruleset.cases, key=_order)  # stable: file order within a pathway; return visits after first ones
    rows = [
        "| Pathway | Situation | Triage | Rules that fire |",
        "| --- | --- | --- | --- |",
        *(
            f"| {_pathway_cell(case)} | {_cell(case.name)} | {TRIAGE_LABELS[case.triage]} | "
            f"{', '.join(sorted(case.flags)) or '-'} |"
            for case in cases
        ),
    ]
    return "\n".join(rows)


def readme_section(ruleset: RuleSet) -> str:
    """The table with its markers, as it stands in the README."""
    return f"{START}\n{outcome_table(ruleset)}\n{END}"

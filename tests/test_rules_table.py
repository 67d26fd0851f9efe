"""The README's outcome table is the one the rule files' cases give now (``python -m screening rules table``)."""

from core_support import RULES

from screening.cli import main
from screening.rules_table import END, START, outcome_table, readme_section

README = RULES.parent / "README.md"


def test_the_readme_shows_the_table_generated_from_the_cases(ruleset):
    text = README.read_text(encoding="utf-8")
    shown = text[text.index(START) : text.index(END) + len(END)]
    assert shown == readme_section(ruleset), "README out of date: paste `python -m screening rules table`"


def test_every_case_is_a_row_with_its_pathway_and_triage(ruleset):
    rows = outcome_table(ruleset).splitlines()[2:]
    assert len(rows) == len(ruleset.cases)
    assert (
        "| Cervical dystonia | cervical dystonia diagnosed with head turning is a likely candidate | Likely candidate |"
        in ("\n".join(rows))
    )
    assert any(row.startswith("| Spasticity | spasticity without a goal needs review | Needs review |") for row in rows)
    assert any(row.startswith("| Facial pain | facial pain always goes to review | Needs review |") for row in rows)


def test_the_command_prints_the_section(ruleset, capsys):
    assert main(["rules", "table"]) == 0
    assert capsys.readouterr().out.strip() == readme_section(ruleset)

"""Compiling the catalogs (what `make translations` runs) from Python, for the test suite's start."""

from babel.messages.frontend import CommandLineInterface

from screening.i18n import LOCALE_DIR


def compile_catalogs() -> None:
    """Every ``.po`` under ``screening/locale`` to its ``.mo``; fuzzy entries are left out, as in production."""
    CommandLineInterface().run(["pybabel", "--quiet", "compile", "--directory", str(LOCALE_DIR)])

"""Counts in English: "1 entry", "2 entries"."""


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with its noun, singular for exactly one; ``plural`` when it is not just the singular plus "s"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"

"""Babel extraction for the answer model: each question's words are pydantic field arguments, so they are
read from the model itself (what the wizard shows, and the FHIR Questionnaire's section titles) as well as
the module's ``N_`` messages."""

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

Found = tuple[int, str | None, str, list[str]]


def answer_model(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str], options: dict[str, Any]
) -> Iterator[Found]:
    yield from extract_python(fileobj, keywords, comment_tags, options)
    from screening.answers import RED_FLAG_WORDING, Section
    from screening.exports.fhir import section_title
    from screening.returns import answers as _return_sections  # noqa: F401  (its sections subclass Section)

    for model in Section.__subclasses__():
        yield 0, None, section_title(model), ["a section of the FHIR Questionnaire"]
        for info in model.model_fields.values():
            for text in (info.title, info.description):
                if text:
                    yield 0, None, text, [f"{model.__name__}"]
    for text in RED_FLAG_WORDING.values():
        yield 0, None, text, ["RedFlags, worded for the pathway"]

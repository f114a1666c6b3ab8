"""Known errors and past incidents that look like an incident, with the terms that matched.

NOTE: the score is plain term overlap over a few fields, computed in Python
over at most ``CANDIDATE_LIMIT`` records per kind. The triage app's ranking
over the full-text search backends is meant to replace it.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from relaydesk.operations.models import Incident, KnownError

CANDIDATE_LIMIT = 500
TERM_PATTERN = re.compile(r"\w+", re.UNICODE)
MIN_TERM_LENGTH = 3
# Words too common in problem reports to tell two of them apart.
STOP_WORDS = frozenset(
    """
    the and for are but not you all any can her was one our out has have had this that with
    from they will would there their what when which who why how into than then them these
    those does did doing been being very just also only more most some such where while
    after before again error problem issue client clients user users não para com uma por
    mais que dos das nos nas pelo pela sem sobre ainda também quando como está são

    """.split()
)


# The fields a suggestion may have matched in, as people read them.
FIELD_LABELS = {
    "title": _("title"),
    "symptoms": _("symptoms"),
    "summary": _("summary"),
    "public_resolution": _("resolution for clients"),
}


@dataclass(frozen=True)
class Suggestion:
    """One ranked match: what it is, its score in [0, 1] and why it matched."""

    kind: str  # "known_error" or "incident"
    reference: str
    title: str
    score: float
    matched_terms: tuple[str, ...]
    matched_fields: tuple[str, ...]


def terms(text: str) -> set[str]:
    """Lower-case words of ``text`` without stop words and very short words."""
    return {
        word
        for word in TERM_PATTERN.findall(text.lower())
        if len(word) >= MIN_TERM_LENGTH and word not in STOP_WORDS and not word.isdigit()
    }


def suggestions_for(incident: Incident, *, limit: int = 10) -> list[Suggestion]:
    """Rank known errors and other incidents by the share of the incident's terms they contain.

    The query is the incident's summary. Known errors are matched on title and
    symptoms, incidents on summary and public resolution. Records sharing no
    term, and the known error already applied, are left out; ties go to the
    newer record.
    """
    query = terms(incident.summary)
    if not query:
        return []
    found: list[Suggestion] = []
    # The known error already applied is on the incident page; it needs no suggesting.
    known_errors = KnownError.objects.exclude(pk=incident.known_error_id).order_by("-number")[
        :CANDIDATE_LIMIT
    ]
    for known_error in known_errors:
        fields = {"title": known_error.title, "symptoms": known_error.symptoms}
        found.extend(_match(query, "known_error", known_error.reference, known_error.title, fields))
    others = Incident.objects.exclude(pk=incident.pk).order_by("-number")[:CANDIDATE_LIMIT]
    for other in others:
        fields = {"summary": other.summary, "public_resolution": other.public_resolution}
        found.extend(_match(query, "incident", other.reference, other.summary, fields))
    found.sort(key=lambda suggestion: -suggestion.score)
    return found[:limit]


def _match(
    query: set[str], kind: str, reference: str, title: str, fields: dict[str, str]
) -> list[Suggestion]:
    matched_terms: set[str] = set()
    matched_fields: list[str] = []
    for name, text in fields.items():
        overlap = query & terms(text)
        if overlap:
            matched_terms |= overlap
            matched_fields.append(name)
    if not matched_terms:
        return []
    score = round(len(matched_terms) / len(query), 3)
    return [
        Suggestion(
            kind=kind,
            reference=reference,
            title=title,
            score=score,
            matched_terms=tuple(sorted(matched_terms)),
            matched_fields=tuple(matched_fields),
        )
    ]

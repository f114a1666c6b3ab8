"""Template filters that show SLA values by their translated labels."""

from django import template

from relaydesk.sla import queries

register = template.Library()


@register.filter
def clock_kind_label(kind: str | None) -> str:
    """Return the translated label of a clock kind, such as "Triage", for a raw ``kind``."""
    return queries.clock_kind_label(kind)

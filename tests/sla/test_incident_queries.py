"""Reading incident clocks and SLA history for the desk."""

from datetime import UTC, datetime, timedelta

import pytest

from relaydesk.core import clock
from relaydesk.core.timeline import events_for
from relaydesk.desk.events import sla_lines
from relaydesk.operations.actions.incidents import create_incident, start_triage
from relaydesk.operations.models import Incident
from relaydesk.sla import events as sla_events
from relaydesk.sla.models import ClockKind, IncidentPolicy, SlaClock
from relaydesk.sla.queries import (
    clock_kind_label,
    incident_clock_views,
    with_next_clock_kind,
    with_sla,
)
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 11:30 in Lisbon: the incident policies' calendar is open.
START = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def urgent_incident() -> Incident:
    """Triage 15 minutes (warned at 12), workaround 60, resolution 180."""
    with clock.frozen_at(START):
        return create_incident(
            actor=AgentFactory(role="production_operations"),
            summary="Search is down",
            impact="high",
            urgency="high",
        )


def test_incident_clock_views_label_each_kind():
    views = incident_clock_views(urgent_incident(), at(5))

    assert sorted(view.label for view in views) == ["Resolution", "Triage", "Workaround"]


def test_incident_clock_views_count_business_minutes():
    views = incident_clock_views(urgent_incident(), at(5))

    triage = next(view for view in views if view.clock.kind == ClockKind.TRIAGE)
    assert triage.elapsed_minutes == 5
    assert triage.remaining_minutes == 10
    assert triage.state == "running"


def test_incident_clock_views_state_breached_after_due():
    views = incident_clock_views(urgent_incident(), at(20))

    triage = next(view for view in views if view.clock.kind == ClockKind.TRIAGE)
    assert triage.state == "breached"


def test_incident_clock_views_without_policy_count_wall_clock():
    incident = urgent_incident()
    IncidentPolicy.objects.all().delete()

    views = incident_clock_views(incident, at(7))

    triage = next(view for view in views if view.clock.kind == ClockKind.TRIAGE)
    assert triage.elapsed_minutes == 7


def test_incident_clock_views_without_clocks_is_empty():
    IncidentPolicy.objects.all().delete()

    assert incident_clock_views(urgent_incident(), at(5)) == []


def test_with_next_clock_kind_names_earliest_running_clock():
    incident = urgent_incident()

    row = with_next_clock_kind(Incident.objects.filter(pk=incident.pk)).get()

    assert row.sla_next_kind == ClockKind.TRIAGE


def test_with_next_clock_kind_skips_met_clock():
    incident = urgent_incident()
    with clock.frozen_at(at(3)):
        start_triage(incident, actor=AgentFactory(role="production_operations"))

    row = with_next_clock_kind(Incident.objects.filter(pk=incident.pk)).get()

    assert row.sla_next_kind == ClockKind.WORKAROUND


def test_with_sla_annotates_incidents():
    incident = urgent_incident()

    row = with_sla(Incident.objects.filter(pk=incident.pk), at(13)).get()

    assert row.sla_next_due == at(15)
    assert row.sla_state == "at_risk"


def test_clock_kind_label_translates_known_kind():
    assert clock_kind_label("first_response") == "First response"


def test_clock_kind_label_keeps_unknown_kind():
    assert clock_kind_label("retired_kind") == "retired_kind"


def test_clock_kind_label_of_none_is_empty():
    assert clock_kind_label(None) == ""


def test_sla_lines_keep_sla_events_with_labels():
    incident = urgent_incident()
    triage = SlaClock.objects.get(incident=incident, kind=ClockKind.TRIAGE)
    with clock.frozen_at(at(15)):
        sla_events.record_breach(triage)

    history = sla_lines(events_for(incident))

    assert [line.description for line in history] == ["SLA target “Triage” breached"]

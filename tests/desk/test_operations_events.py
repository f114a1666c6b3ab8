from relaydesk.core.models import TimelineEvent
from relaydesk.desk import operations_events


def event(kind: str, **data) -> TimelineEvent:
    return TimelineEvent(subject_type="incident", subject_id=1, kind=kind, data=data)


def test_describe_transfer_names_the_team():
    text = operations_events.describe(
        event("team_changed", team="second_line", team_name="2nd line")
    )
    assert text == "Transferred to team 2nd line"


def test_describe_transfer_before_names_were_kept_shows_slug():
    text = operations_events.describe(event("team_changed", team="second_line"))
    assert text == "Transferred to team second_line"


def test_describe_sla_breach_of_incident_in_words():
    text = operations_events.describe(event("sla_breached", target="triage"))
    assert text == "SLA target “Triage” breached"


def test_describe_references_names_ticket():
    text = operations_events.describe(
        event("messages_referenced", messages=[70, 71], ticket="CS-4")
    )
    assert text == "2 messages of ticket CS-4 referenced"


def test_describe_references_without_ticket():
    text = operations_events.describe(event("messages_referenced", messages=[70]))
    assert text == "1 ticket message referenced"

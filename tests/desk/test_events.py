from django.utils import translation

from relaydesk.core.models import TimelineEvent
from relaydesk.desk import events


def event(kind: str, **data) -> TimelineEvent:
    return TimelineEvent(subject_type="ticket", subject_id=1, kind=kind, data=data)


def test_describe_escalation_names_incident():
    text = events.describe(event("escalated", incident="PO-4"))
    assert text == "Escalated to incident PO-4"


def test_describe_workaround_names_known_error():
    text = events.describe(event("workaround_received", incident="PO-4", known_error="KE-2"))
    assert text == "Workaround received from incident PO-4 (known error KE-2)"


def test_describe_missing_data_reads_empty():
    assert events.describe(event("follow_up_of")) == "Follow-up of closed ticket "


def test_describe_unknown_kind_shows_code():
    assert events.describe(event("something_new")) == "something_new"


def test_describe_skip_reason_in_words():
    text = events.describe(event("acknowledgement_skipped", reason="rate_limited"))
    assert text == (
        "Acknowledgement not sent: this address reached its hourly limit of acknowledgements"
    )


def test_describe_skip_reason_in_portuguese():
    with translation.override("pt-pt"):
        text = events.describe(event("acknowledgement_skipped", reason="rate_limited"))
    assert "rate_limited" not in text
    assert text.startswith("Confirmação de receção não enviada: ")


def test_describe_unknown_skip_reason():
    text = events.describe(event("acknowledgement_skipped", reason="new_reason"))
    assert text == "Acknowledgement not sent: new_reason"


def test_describe_old_assignment_shows_identifiers():
    text = events.describe(event("ticket_assigned", assignee="carla", team="front"))
    assert text == "Assigned to carla, team front"


def test_describe_sla_warning_names_target_label():
    text = events.describe(event("sla_warning", target="first_response"))
    assert text == "SLA warning: the “First response” target is at risk"


def test_describe_sla_breach_met_late():
    text = events.describe(event("sla_breached", target="resolution", met_late=True))
    assert text == "SLA target “Resolution” met late"


def test_describe_sla_breach_in_portuguese():
    with translation.override("pt-pt"):
        text = events.describe(event("sla_breached", target="first_response"))
    assert "first_response" not in text
    assert "Primeira resposta" in text


def test_describe_sla_not_started_reason_in_words():
    text = events.describe(event("sla_not_started", reason="no_sla_policy"))
    assert text == "No SLA clocks: no SLA policy covers the plan and priority"


def test_describe_agent_notified_names_reason():
    text = events.describe(
        event(
            "agent_notified",
            agent="carla",
            agent_name="Carla Matos",
            incident="PO-4",
            reason="team",
        )
    )
    assert (
        text
        == "Carla Matos notified of the answer from incident PO-4 as a member of the ticket's team"
    )


def test_describe_agent_notified_in_portuguese():
    with translation.override("pt-pt"):
        text = events.describe(
            event("agent_notified", agent="carla", incident="PO-4", reason="csm")
        )
    # Worded so that it reads right whatever the agent's gender.
    assert text == (
        "Notificação enviada a carla sobre a resposta do incidente PO-4, "
        "como o Gestor de Sucesso do Cliente"
    )


def test_describe_csm_notified_names_the_csm():
    text = events.describe(
        event("csm_notified", csm="miguel", csm_name="Miguel Duarte", incident="PO-1")
    )
    assert text == "Customer Success Manager Miguel Duarte notified of incident PO-1"


def test_describe_old_csm_notice_shows_username():
    text = events.describe(event("csm_notified", csm="miguel", incident="PO-1"))
    assert text == "Customer Success Manager miguel notified of incident PO-1"


def message_added(**data) -> TimelineEvent:
    return TimelineEvent(subject_type="ticket", subject_id=1, kind="message_added", data=data)


def test_describe_back_office_answer_not_emailed():
    text = events.describe(message_added(kind="reply", visibility="public", direction="internal"))
    assert text == "Answer from Production Operations added, not e-mailed to the client"


def test_describe_agent_reply_names_its_kind():
    text = events.describe(message_added(kind="reply", visibility="public", direction="outbound"))
    assert text == "Reply added"

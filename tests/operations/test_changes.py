"""Change transitions, deployments by people, test results and rollback."""

import pytest
from django.utils import translation

from relaydesk.accounts.models import Role
from relaydesk.core.timeline import events_for
from relaydesk.operations import actions, queries
from relaydesk.operations.errors import (
    InvalidChange,
    InvalidChangeTransition,
    InvalidDeployment,
    InvalidIncidentTransition,
    InvalidKnownError,
    TestNotPassed,
)
from relaydesk.operations.models import (
    Change,
    ChangeStatus,
    Deployment,
    IncidentStatus,
    KnownError,
    KnownErrorStatus,
    Outcome,
)
from relaydesk.sla.models import Notification, NotificationKind
from relaydesk.tickets import actions as tickets
from tests.factories import TeamFactory
from tests.operations.helpers import post_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(make_ticket, cs_agent, po_agent):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Reports are empty", impact="medium", urgency="low"
    )
    return actions.start_triage(incident, actor=po_agent)


@pytest.fixture
def change(po_agent):
    return actions.create_change(actor=po_agent, title="Fill reports again")


def test_request_change_moves_incident_to_awaiting_change(incident, po_agent):
    change = actions.request_change(incident, actor=po_agent, title="Fix reports")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.AWAITING_CHANGE
    assert list(change.incidents.all()) == [incident]
    assert "change_linked" in events_for(incident).values_list("kind", flat=True)
    assert "incident_linked" in events_for(change).values_list("kind", flat=True)


def test_request_change_starts_fix_of_known_error(incident, po_agent):
    known_error = actions.create_known_error(
        actor=po_agent, title="Empty reports", workaround_clients="Reload."
    )
    actions.apply_known_error(incident, known_error, actor=po_agent)

    actions.request_change(incident, actor=po_agent, title="Fix reports")

    known_error.refresh_from_db()
    assert known_error.status == KnownErrorStatus.FIX_IN_PROGRESS
    assert "change_linked" in events_for(known_error).values_list("kind", flat=True)


def test_create_change_rejects_new_incident(make_ticket, cs_agent, po_agent):
    incident = actions.escalate_ticket(
        make_ticket(), actor=cs_agent, summary="Slow", impact="low", urgency="low"
    )
    with pytest.raises(InvalidIncidentTransition) as caught:
        actions.create_change(actor=po_agent, title="Speed up", incidents=[incident])
    assert caught.value.code == "invalid_incident_transition"


def test_create_change_rejects_fixed_known_error(po_agent, production_env):
    known_error = actions.create_known_error(actor=po_agent, title="Old bug")
    first = actions.create_change(actor=po_agent, title="Fix", known_errors=[known_error])
    actions.deploy_to_environment(
        first, production_env, version="1", actor=po_agent, override_reason="hotfix"
    )
    known_error.refresh_from_db()
    with pytest.raises(InvalidKnownError):
        actions.create_change(actor=po_agent, title="Fix again", known_errors=[known_error])


def test_deploy_to_test_puts_change_in_test(change, release_agent, test_env):
    result = actions.deploy_to_environment(change, test_env, version="3.1", actor=release_agent)

    change.refresh_from_db()
    assert result.created
    assert change.status == ChangeStatus.IN_TEST
    assert change.current_version == "3.1"
    assert result.deployment.actor == release_agent


def test_failed_test_returns_to_test_with_new_version(change, release_agent, test_env):
    actions.deploy_to_environment(change, test_env, version="3.1", actor=release_agent)
    actions.record_test_result(change, actor=release_agent, passed=False, notes="Crashes")

    actions.deploy_to_environment(change, test_env, version="3.2", actor=release_agent)

    change.refresh_from_db()
    assert change.status == ChangeStatus.IN_TEST
    assert change.current_version == "3.2"
    recorded = events_for(change).filter(kind="test_recorded").get()
    assert recorded.data == {"passed": False, "version": "3.1", "notes": "Crashes"}


def test_production_without_passed_test_conflicts(change, release_agent, test_env, production_env):
    actions.deploy_to_environment(change, test_env, version="3.1", actor=release_agent)

    with pytest.raises(TestNotPassed) as caught:
        actions.deploy_to_environment(change, production_env, version="3.1", actor=release_agent)

    assert caught.value.code == "test_not_passed"
    assert caught.value.status == 409
    assert Deployment.objects.filter(environment=production_env).count() == 0


def test_deploy_untested_change_names_no_version(change, release_agent, production_env):
    with pytest.raises(TestNotPassed) as caught:
        actions.deploy_to_environment(change, production_env, version="2.0", actor=release_agent)

    assert "no version of it has been tested" in caught.value.message
    assert "''" not in caught.value.message


def test_production_of_untested_version_conflicts(change, release_agent, test_env, production_env):
    actions.deploy_to_environment(change, test_env, version="3.1", actor=release_agent)
    actions.record_test_result(change, actor=release_agent, passed=True)

    with pytest.raises(TestNotPassed):
        actions.deploy_to_environment(change, production_env, version="3.2", actor=release_agent)


def test_production_with_override_is_recorded(change, release_agent, production_env):
    result = actions.deploy_to_environment(
        change, production_env, version="3.1", actor=release_agent, override_reason="Outage"
    )

    change.refresh_from_db()
    assert change.status == ChangeStatus.DEPLOYED
    assert result.deployment.override_reason == "Outage"
    deployed = events_for(change).filter(kind="deployed").get()
    assert deployed.data["override_reason"] == "Outage"


def test_record_test_result_outside_test_conflicts(change, release_agent):
    with pytest.raises(InvalidChangeTransition) as caught:
        actions.record_test_result(change, actor=release_agent, passed=True)
    assert caught.value.code == "invalid_change_transition"


def test_deployed_change_cannot_go_back_to_test(change, release_agent, test_env, production_env):
    actions.deploy_to_environment(
        change, production_env, version="1", actor=release_agent, override_reason="hotfix"
    )
    with pytest.raises(InvalidChangeTransition):
        actions.deploy_to_environment(change, test_env, version="2", actor=release_agent)


def test_deploy_rejects_empty_version(change, release_agent, test_env):
    with pytest.raises(InvalidDeployment):
        actions.deploy_to_environment(change, test_env, version="  ", actor=release_agent)
    assert Deployment.objects.count() == 0


def test_deploy_rejects_unknown_outcome(change, release_agent, test_env):
    with pytest.raises(InvalidDeployment):
        actions.deploy_to_environment(
            change, test_env, version="1", actor=release_agent, outcome="partly"
        )


def test_rollback_reopens_resolved_incident(incident, po_agent, release_agent, production_env):
    known_error = actions.create_known_error(
        actor=po_agent, title="Empty reports", workaround_clients="Reload."
    )
    actions.apply_known_error(incident, known_error, actor=po_agent)
    change = actions.request_change(incident, actor=po_agent, title="Fix reports")
    actions.deploy_to_environment(
        change, production_env, version="5", actor=release_agent, override_reason="hotfix"
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED

    result = actions.rollback(change, production_env, actor=release_agent, version="5")

    incident.refresh_from_db()
    change.refresh_from_db()
    known_error.refresh_from_db()
    assert result.deployment.outcome == Outcome.ROLLED_BACK
    assert change.status == ChangeStatus.ROLLED_BACK
    assert incident.status == IncidentStatus.AWAITING_CHANGE
    assert incident.draft_resolution == ""
    assert known_error.status == KnownErrorStatus.FIX_IN_PROGRESS
    assert not incident.ticket_links.get().permanent_fix_available


def test_rollback_after_close_notifies_owners(
    incident, po_agent, cs_agent, release_agent, production_env
):
    TeamFactory(slug="ops", role=Role.PRODUCTION_OPERATIONS).members.add(po_agent)
    ticket = incident.ticket_links.get().ticket
    tickets.assign(ticket, actor=cs_agent, assignee=cs_agent)
    change = actions.request_change(incident, actor=po_agent, title="Fix reports")
    actions.deploy_to_environment(
        change, production_env, version="5", actor=release_agent, override_reason="hotfix"
    )
    actions.close_incident(incident, actor=po_agent, resolution="Fixed in version 5.")

    actions.rollback(change, production_env, actor=release_agent, version="5")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    rolled_back = events_for(incident).get(kind="fix_rolled_back")
    assert rolled_back.data == {"change": change.reference}
    on_ticket = events_for(ticket).get(kind="fix_rolled_back")
    assert on_ticket.data == {"change": change.reference, "incident": incident.reference}
    case = queries.ticket_case(cs_agent, ticket.pk)
    assert case.fix_rolled_back_at == rolled_back.created_at
    notices = Notification.objects.filter(kind=NotificationKind.FIX_ROLLED_BACK)
    assert set(notices.values_list("recipient__username", "incident_id", "ticket_id")) == {
        ("pedro", incident.pk, None),
        ("carla", None, ticket.pk),
    }


def test_rollback_before_close_notifies_nobody(incident, po_agent, release_agent, production_env):
    change = actions.request_change(incident, actor=po_agent, title="Fix reports")
    actions.deploy_to_environment(
        change, production_env, version="5", actor=release_agent, override_reason="hotfix"
    )
    actions.rollback(change, production_env, actor=release_agent, version="5")
    assert not Notification.objects.filter(kind=NotificationKind.FIX_ROLLED_BACK).exists()
    assert not events_for(incident).filter(kind="fix_rolled_back").exists()


def test_rollback_of_planned_change_conflicts(change, release_agent, production_env):
    with pytest.raises(InvalidChangeTransition):
        actions.rollback(change, production_env, actor=release_agent, version="1")
    assert Deployment.objects.count() == 0


def test_incident_waits_for_every_change(incident, po_agent, release_agent, production_env):
    first = actions.request_change(incident, actor=po_agent, title="Part one")
    actions.create_change(actor=po_agent, title="Part two", incidents=[incident])

    actions.deploy_to_environment(
        first, production_env, version="1", actor=release_agent, override_reason="hotfix"
    )

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.AWAITING_CHANGE


def test_api_deploy_without_test_answers_409(change, release_agent, production_env, api_client):
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/deployments",
        {"environment": "production", "version": "1"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "test_not_passed"


def test_api_deploy_with_override_records_reason(change, release_agent, production_env, api_client):
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/deployments",
        {"environment": "production", "version": "1", "override_reason": "Outage"},
    )
    assert response.status_code == 201
    assert response.json()["override_reason"] == "Outage"


def test_api_deploy_unknown_environment(change, release_agent, api_client):
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/deployments",
        {"environment": "moon", "version": "1"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_environment"


def test_api_deploy_environment_name_in_other_case(
    change, release_agent, test_env, production_env, api_client
):
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/deployments",
        {"environment": "Staging", "version": "1"},
    )
    assert response.status_code == 201
    assert response.json()["environment"] == "staging"


def test_api_deploy_unknown_environment_lists_names(
    change, release_agent, test_env, production_env, api_client
):
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/deployments",
        {"environment": "moon", "version": "1"},
    )
    assert "use one of staging, production." in response.json()["detail"]


def test_api_deploy_without_environments_names_admin(change, release_agent, api_client):
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/deployments",
        {"environment": "test", "version": "1.4.1"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_environment"
    detail = response.json()["detail"]
    assert "no environments exist yet" in detail
    assert "Environments in the administration pages (/admin/)" in detail


def test_api_test_result_outside_test_answers_409(change, release_agent, api_client):
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/test-results",
        {"passed": True},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_change_transition"


def test_api_lists_changes_with_deployments(change, release_agent, test_env, api_client):
    actions.deploy_to_environment(change, test_env, version="3.1", actor=release_agent)

    response = api_client(release_agent).get("/api/changes")

    assert response.status_code == 200
    listed = response.json()["items"][0]
    assert listed["number"] == change.reference
    assert listed["deployments"][0]["environment"] == "staging"


def test_api_deploy_by_front_office_agent_is_forbidden(change, cs_agent, test_env, api_client):
    response = post_json(
        api_client(cs_agent),
        f"/api/changes/{change.reference}/deployments",
        {"environment": "staging", "version": "1"},
    )
    assert response.status_code == 403
    assert "see or change this record" in response.json()["detail"]
    assert not Deployment.objects.exists()


@pytest.mark.parametrize("verdict", ["yes", 1, "true"])
def test_api_test_result_takes_only_a_json_boolean(
    change, release_agent, test_env, api_client, verdict
):
    actions.deploy_to_environment(change, test_env, version="1.4.0", actor=release_agent)
    response = post_json(
        api_client(release_agent),
        f"/api/changes/{change.reference}/test-results",
        {"passed": verdict},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "passed"
    change.refresh_from_db()
    assert change.status == ChangeStatus.IN_TEST


# Lengths of free text


@pytest.mark.parametrize(
    ("field", "length", "label"),
    [
        ("symptoms", 100_001, "The symptoms field"),
        ("root_cause", 100_001, "The root cause"),
        ("workaround_clients", 100_001, "The workaround for clients"),
        ("product_area", 101, "The product area"),
        ("affected_versions", 201, "The affected versions field"),
    ],
)
def test_known_error_text_too_long_names_its_field(po_agent, field, length, label):
    with pytest.raises(InvalidKnownError) as raised:
        actions.create_known_error(actor=po_agent, title="Export hangs", **{field: "x" * length})
    assert str(raised.value.message).startswith(f"{label} is {length} characters long")
    assert not KnownError.objects.exists()


def test_change_description_too_long_is_refused(po_agent):
    with pytest.raises(InvalidChange, match="The description is 100001 characters long"):
        actions.create_change(actor=po_agent, title="Index lines", description="x" * 100_001)
    assert not Change.objects.exists()


def test_deployment_notes_too_long_are_refused(change, release_agent, test_env):
    with pytest.raises(InvalidDeployment, match="The notes field is 100001 characters long"):
        actions.deploy_to_environment(
            change, test_env, version="1", actor=release_agent, notes="x" * 100_001
        )
    assert Deployment.objects.count() == 0


def test_draft_resolution_is_in_the_desks_language(
    incident, po_agent, release_agent, production_env
):
    change = actions.request_change(incident, actor=po_agent, title="Fix reports")
    with translation.override("pt-pt"):
        actions.deploy_to_environment(
            change, production_env, version="5", actor=release_agent, override_reason="hotfix"
        )
    incident.refresh_from_db()
    assert incident.draft_resolution.startswith("Fixed in version 5, released on ")

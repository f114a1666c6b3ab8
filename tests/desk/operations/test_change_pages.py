"""Known error, change and environment pages, and the forms on them."""

import pytest

from relaydesk.accounts.models import Role
from relaydesk.operations import actions
from relaydesk.operations.models import (
    Change,
    ChangeStatus,
    Deployment,
    IncidentStatus,
    KnownError,
    KnownErrorStatus,
)
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(po_agent) -> Change:
    return actions.create_change(actor=po_agent, title="Stream the invoice export")


def change_url(change: Change, action: str = "") -> str:
    return f"/operations/changes/{change.number}/" + (f"{action}/" if action else "")


def deploy_data(environment, **fields) -> dict:
    data = {"environment": environment.pk, "version": "2.1.0", "outcome": "succeeded"}
    data.update(fields)
    return data


def test_create_known_error_redirects_to_its_page(signed_in, po_agent):
    response = signed_in(po_agent).post(
        "/operations/known-errors/new/",
        {"title": "PDF preview blank in Safari", "workaround_clients": "Use another browser."},
    )
    known_error = KnownError.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/operations/known-errors/{known_error.number}/"
    assert known_error.workaround_clients == "Use another browser."


def test_create_known_error_empty_title_is_rejected(signed_in, po_agent):
    response = signed_in(po_agent).post(
        "/operations/known-errors/new/", {"title": " ", "symptoms": "Blank page"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not KnownError.objects.exists()


def test_known_error_list_searches_title(signed_in, po_agent, known_error):
    actions.create_known_error(actor=po_agent, title="Login loops on SSO")
    response = signed_in(po_agent).get("/operations/known-errors/", {"q": "invoice"})
    assert list(response.context["page"].object_list) == [known_error]


def test_known_error_list_search_ignores_accents(signed_in, po_agent):
    expected = actions.create_known_error(actor=po_agent, title="Exportação de apólices falha")
    response = signed_in(po_agent).get("/operations/known-errors/", {"q": "APOLICES"})
    assert list(response.context["page"].object_list) == [expected]


def test_known_error_list_search_takes_words_apart(signed_in, po_agent):
    expected = actions.create_known_error(actor=po_agent, title="Exportação de apólices falha")
    response = signed_in(po_agent).get("/operations/known-errors/", {"q": "falha exportacao"})
    assert list(response.context["page"].object_list) == [expected]


def test_known_error_page_shows_both_workarounds(signed_in, po_agent, known_error):
    content = signed_in(po_agent).get(f"/operations/known-errors/{known_error.number}/")
    text = content.content.decode()
    assert "SECRET-AGENT-TIP" in text
    assert "Export one week at a time until the fix ships." in text
    assert "Known error created" in text


def test_create_change_links_incident_and_known_error(signed_in, po_agent, escalated, known_error):
    _ticket, incident = escalated
    actions.start_triage(incident, actor=po_agent)
    response = signed_in(po_agent).post(
        "/operations/changes/new/",
        {
            "title": "Stream the invoice export",
            "incidents": incident.reference,
            "known_errors": f"{known_error.reference},",
        },
    )
    change = Change.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(change)
    assert list(change.incidents.all()) == [incident]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.AWAITING_CHANGE
    known_error.refresh_from_db()
    assert known_error.status == KnownErrorStatus.FIX_IN_PROGRESS


def test_create_change_unknown_incident_is_rejected(signed_in, po_agent):
    response = signed_in(po_agent).post(
        "/operations/changes/new/", {"title": "Fix", "incidents": "PO-404"}
    )
    assert response.status_code == 400
    assert "Incident PO-404 does not exist" in response.content.decode()
    assert not Change.objects.exists()


def test_create_change_new_incident_conflicts(signed_in, po_agent, escalated):
    _ticket, incident = escalated
    response = signed_in(po_agent).post(
        "/operations/changes/new/", {"title": "Fix", "incidents": incident.reference}
    )
    assert response.status_code == 409
    assert not Change.objects.exists()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.NEW


def test_create_change_empty_title_is_rejected(signed_in, po_agent):
    response = signed_in(po_agent).post("/operations/changes/new/", {"title": ""})
    assert response.status_code == 400
    assert not Change.objects.exists()


def test_deploy_to_test_puts_change_in_test(signed_in, release_agent, change, test_env):
    response = signed_in(release_agent).post(
        change_url(change, "deployments"), deploy_data(test_env)
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.IN_TEST
    assert change.current_version == "2.1.0"


def test_deploy_untested_to_production_is_conflict(
    signed_in, release_agent, change, production_env
):
    response = signed_in(release_agent).post(
        change_url(change, "deployments"), deploy_data(production_env)
    )
    assert response.status_code == 409
    assert "has not passed its test" in response.content.decode()
    assert not Deployment.objects.exists()
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED


def test_deploy_to_production_with_override(signed_in, release_agent, change, production_env):
    response = signed_in(release_agent).post(
        change_url(change, "deployments"),
        deploy_data(production_env, override_reason="Hotfix approved by the duty manager"),
    )
    assert response.status_code == 302
    deployment = Deployment.objects.get()
    assert deployment.override_reason == "Hotfix approved by the duty manager"
    change.refresh_from_db()
    assert change.status == ChangeStatus.DEPLOYED


def test_deploy_empty_version_is_rejected(signed_in, release_agent, change, test_env):
    response = signed_in(release_agent).post(
        change_url(change, "deployments"), deploy_data(test_env, version="")
    )
    assert response.status_code == 400
    assert not Deployment.objects.exists()


def test_deploy_unknown_environment_is_rejected(signed_in, release_agent, change, test_env):
    data = deploy_data(test_env)
    data["environment"] = 9999
    response = signed_in(release_agent).post(change_url(change, "deployments"), data)
    assert response.status_code == 400
    assert not Deployment.objects.exists()


def test_record_test_result_passed(signed_in, release_agent, change, test_env):
    actions.deploy_to_environment(change, test_env, version="2.1.0", actor=release_agent)
    response = signed_in(release_agent).post(
        change_url(change, "test-results"), {"result": "passed", "notes": "All green"}
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.TEST_PASSED


def test_record_test_result_failed(signed_in, release_agent, change, test_env):
    actions.deploy_to_environment(change, test_env, version="2.1.0", actor=release_agent)
    signed_in(release_agent).post(change_url(change, "test-results"), {"result": "failed"})
    change.refresh_from_db()
    assert change.status == ChangeStatus.TEST_FAILED


def test_record_test_result_outside_test_is_conflict(signed_in, release_agent, change):
    response = signed_in(release_agent).post(
        change_url(change, "test-results"), {"result": "passed"}
    )
    assert response.status_code == 409
    assert "is in status “Planned” and cannot move to “Test passed”" in response.content.decode()
    change.refresh_from_db()
    assert change.status == ChangeStatus.PLANNED


def test_record_test_result_missing_result_is_rejected(signed_in, release_agent, change):
    response = signed_in(release_agent).post(change_url(change, "test-results"), {})
    assert response.status_code == 400


def test_change_page_shows_deployments_and_timeline(signed_in, release_agent, change, test_env):
    actions.deploy_to_environment(change, test_env, version="2.1.0", actor=release_agent)
    content = signed_in(release_agent).get(change_url(change)).content.decode()
    assert "staging (Test)" in content
    assert "Version 2.1.0 deployed to staging: Succeeded" in content
    assert "Record the test result" in content


def test_environment_list_shows_latest_deployment(
    signed_in, release_agent, change, test_env, production_env
):
    actions.deploy_to_environment(change, test_env, version="2.0.0", actor=release_agent)
    actions.deploy_to_environment(change, test_env, version="2.1.0", actor=release_agent)
    response = signed_in(release_agent).get("/operations/environments/")
    environments = {item.name: item for item in response.context["environments"]}
    assert environments["staging"].latest_version == "2.1.0"
    assert environments["staging"].deployment_count == 2
    assert environments["production"].latest_version is None


def test_environment_list_links_admin_to_edit_page(signed_in):
    admin = AgentFactory(username="root", role=Role.ADMIN)
    content = signed_in(admin).get("/operations/environments/").content.decode()
    assert 'href="/admin/operations/environment/"' in content


def test_environment_list_hides_edit_link_from_agents(signed_in, release_agent):
    content = signed_in(release_agent).get("/operations/environments/").content.decode()
    assert "in the administration pages" in content
    assert "/admin/operations/environment/" not in content


def test_change_list_unknown_status_is_rejected(signed_in, po_agent):
    actions.create_change(actor=po_agent, title="Stream the export")
    response = signed_in(po_agent).get("/operations/changes/", {"status": "shipped"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "“shipped” is not a valid value. Valid values: planned (Planned)" in content
    assert "Stream the export" not in content

"""The escalation pages in European Portuguese, with labels from the models' choices.

Needs the compiled catalogue (``make messages``); tests/desk/test_i18n.py
fails with a clear message when it is missing.
"""

import pytest

from relaydesk.operations import actions
from tests.factories import EnvironmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portuguese(cs_agent, po_agent):
    for agent in (cs_agent, po_agent):
        agent.locale = "pt_PT"
        agent.save(update_fields=["locale"])


def test_case_panel_in_portuguese(signed_in, cs_agent, escalated, portuguese):
    ticket, _incident = escalated
    content = signed_in(cs_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert '<html lang="pt-pt">' in content
    assert '<span class="stage-name">Escalado</span>' in content
    assert '<span class="stage-name">2.ª linha</span>' in content


def test_incident_page_in_portuguese(signed_in, po_agent, escalated, portuguese):
    _ticket, incident = escalated
    response = signed_in(po_agent).get(f"/operations/incidents/{incident.number}/")
    content = response.content.decode()
    assert response["Content-Language"] == "pt-pt"
    # Impact and urgency take a form that fits both genders; priority stays feminine.
    assert "<dd>Nível alto</dd>" in content
    assert '<span class="priority priority-high">Alta</span>' in content


def test_missing_values_agree_with_their_noun_in_portuguese(signed_in, po_agent, portuguese):
    # "Nenhuma" for a deployment (implementação), "Nenhum" for a known error.
    EnvironmentFactory(name="staging", kind="test", order=1)
    client = signed_in(po_agent)

    environments = client.get("/operations/environments/").content.decode()
    known_error = actions.create_known_error(actor=po_agent, title="Export hangs")
    known_error_page = client.get(f"/operations/known-errors/{known_error.number}/")

    assert "<td>Nenhuma</td>" in environments
    assert "Nenhum</dd>" in known_error_page.content.decode()
    assert "<dd>Nenhuma</dd>" in known_error_page.content.decode()

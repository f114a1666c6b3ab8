"""The administration pages for agents and teams."""

import pytest

from relaydesk.accounts.models import Role, Team, User
from relaydesk.core.models import TimelineEvent
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db

AGENTS = "/admin/accounts/user/"
TEAMS = "/admin/accounts/team/"


def new_agent_form(**fields: str) -> dict[str, str]:
    data = {
        "username": "marta",
        "usable_password": "true",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
        "first_name": "Marta",
        "last_name": "Lima",
        "email": "marta@desk.example",
        "role": Role.SECOND_LINE,
        "locale": "pt-pt",
    }
    data.update(fields)
    return data


def agent_form(agent: User, **fields: str) -> dict[str, str]:
    data = {
        "username": agent.username,
        "first_name": agent.first_name,
        "last_name": agent.last_name,
        "email": agent.email,
        "role": agent.role,
        "locale": agent.locale,
        "is_active": "on" if agent.is_active else "",
        "teams": [str(team.pk) for team in agent.teams.all()],
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value != ""}


def team_form(**fields) -> dict:
    data = {"name": "2nd line", "slug": "second_line", "role": Role.SECOND_LINE, "members": []}
    data.update(fields)
    return data


def test_admin_index_lists_agents_and_teams(admin_client):
    content = admin_client.get("/admin/").content.decode()
    assert "Agents" in content
    assert "Teams" in content


@pytest.mark.parametrize("path", [AGENTS, TEAMS, f"{AGENTS}add/"])
def test_agent_admin_non_admin_redirected(client, path):
    client.force_login(AgentFactory(role=Role.PRODUCTION_OPERATIONS))
    page = client.get(path)
    assert page.status_code == 302
    assert "/admin/login/" in page["Location"]


def test_agent_admin_non_admin_cannot_add(client):
    client.force_login(AgentFactory(role=Role.CSM))
    client.post(f"{AGENTS}add/", new_agent_form())
    assert not User.objects.filter(username="marta").exists()


def test_agent_admin_adds_agent_with_password(admin_client):
    page = admin_client.post(f"{AGENTS}add/", new_agent_form())
    assert page.status_code == 302
    agent = User.objects.get(username="marta")
    assert agent.check_password("a-long-pass-phrase-42")
    assert (agent.first_name, agent.last_name) == ("Marta", "Lima")
    assert agent.email == "marta@desk.example"
    assert agent.role == Role.SECOND_LINE
    assert agent.locale == "pt-pt"
    assert agent.is_active


def test_agent_admin_mismatched_passwords_shown(admin_client):
    page = admin_client.post(f"{AGENTS}add/", new_agent_form(password2="something-else-42"))
    assert page.status_code == 200
    assert "The two password fields didn’t match." in page.content.decode()
    assert not User.objects.filter(username="marta").exists()


def test_agent_admin_taken_username_shown(admin_client):
    page = admin_client.post(f"{AGENTS}add/", new_agent_form(username="root"))
    assert page.status_code == 200
    assert "A user with that username already exists." in page.content.decode()
    assert User.objects.count() == 1


def test_agent_admin_taken_email_shown(admin_client):
    AgentFactory(username="ana", email="ana@desk.example")
    page = admin_client.post(f"{AGENTS}add/", new_agent_form(email="ANA@desk.example"))
    assert page.status_code == 200
    assert "ANA@desk.example already belongs to agent ana" in page.content.decode()
    assert not User.objects.filter(username="marta").exists()


def test_agent_admin_unknown_role_shown(admin_client):
    page = admin_client.post(f"{AGENTS}add/", new_agent_form(role="boss"))
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert not User.objects.filter(username="marta").exists()


def test_agent_admin_unknown_language_shown(admin_client):
    page = admin_client.post(f"{AGENTS}add/", new_agent_form(locale="xx"))
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert not User.objects.filter(username="marta").exists()


def test_agent_admin_changes_role(admin_client):
    agent = AgentFactory(username="ana", role=Role.CUSTOMER_SERVICE)
    page = admin_client.post(f"{AGENTS}{agent.pk}/change/", agent_form(agent, role=Role.ADMIN))
    assert page.status_code == 302
    agent.refresh_from_db()
    assert agent.role == Role.ADMIN


def test_agent_admin_deactivates_agent(admin_client):
    agent = AgentFactory(username="ana")
    page = admin_client.post(f"{AGENTS}{agent.pk}/change/", agent_form(agent, is_active=""))
    assert page.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active


def test_agent_admin_last_admin_keeps_role(admin_client, admin_user):
    page = admin_client.post(
        f"{AGENTS}{admin_user.pk}/change/", agent_form(admin_user, role=Role.RELEASE)
    )
    assert page.status_code == 200
    assert "root is the only active administrator" in page.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_agent_admin_last_admin_stays_active(admin_client, admin_user):
    page = admin_client.post(
        f"{AGENTS}{admin_user.pk}/change/", agent_form(admin_user, is_active="")
    )
    assert page.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_agent_admin_admin_steps_down_with_another(admin_client, admin_user):
    AgentFactory(username="deputy", role=Role.ADMIN)
    page = admin_client.post(
        f"{AGENTS}{admin_user.pk}/change/", agent_form(admin_user, role=Role.RELEASE)
    )
    assert page.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.role == Role.RELEASE


def test_agent_admin_sets_password(admin_client):
    agent = AgentFactory(username="ana")
    page = admin_client.post(
        f"{AGENTS}{agent.pk}/password/",
        {"password1": "another-long-phrase-7", "password2": "another-long-phrase-7"},
    )
    assert page.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("another-long-phrase-7")


def test_agent_admin_non_admin_cannot_set_password(client):
    agent = AgentFactory(username="ana")
    client.force_login(AgentFactory(role=Role.CSM))
    client.post(
        f"{AGENTS}{agent.pk}/password/",
        {"password1": "another-long-phrase-7", "password2": "another-long-phrase-7"},
    )
    agent.refresh_from_db()
    assert not agent.check_password("another-long-phrase-7")


def test_agent_admin_offers_no_delete(admin_client):
    agent = AgentFactory(username="ana")
    page = admin_client.post(f"{AGENTS}{agent.pk}/delete/", {"post": "yes"})
    assert page.status_code == 403
    assert User.objects.filter(pk=agent.pk).exists()


def test_agent_admin_hides_superuser_flag(admin_client, admin_user):
    content = admin_client.get(f"{AGENTS}{admin_user.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in content
    assert 'name="is_staff"' not in content


def test_team_admin_adds_team_with_members(admin_client):
    agent = AgentFactory(username="ines", role=Role.SECOND_LINE)
    page = admin_client.post(f"{TEAMS}add/", team_form(members=[str(agent.pk)]))
    assert page.status_code == 302
    team = Team.objects.get(slug="second_line")
    assert team.role == Role.SECOND_LINE
    assert list(team.members.all()) == [agent]


def test_team_admin_taken_slug_shown(admin_client):
    TeamFactory(slug="second_line", name="Old 2nd line", role=Role.SECOND_LINE)
    page = admin_client.post(f"{TEAMS}add/", team_form())
    assert page.status_code == 200
    assert "Team with this Slug already exists." in page.content.decode()
    assert Team.objects.count() == 1


def test_team_admin_missing_role_shown(admin_client):
    page = admin_client.post(f"{TEAMS}add/", team_form(role=""))
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert not Team.objects.exists()


def test_team_admin_inactive_member_shown(admin_client):
    inactive = AgentFactory(username="gone", is_active=False)
    page = admin_client.post(f"{TEAMS}add/", team_form(members=[str(inactive.pk)]))
    assert page.status_code == 200
    assert "Inactive agents cannot be team members: gone." in page.content.decode()
    assert not Team.objects.exists()


def test_team_admin_non_admin_cannot_add(client):
    client.force_login(AgentFactory(role=Role.SECOND_LINE))
    client.post(f"{TEAMS}add/", team_form())
    assert not Team.objects.exists()


def events_of(subject) -> list[TimelineEvent]:
    return list(
        TimelineEvent.objects.filter(
            subject_type=subject._meta.model_name, subject_id=subject.pk
        ).order_by("id")
    )


def test_agent_admin_records_new_agent_without_password(admin_client, admin_user):
    admin_client.post(f"{AGENTS}add/", new_agent_form())
    (event,) = events_of(User.objects.get(username="marta"))
    assert event.kind == "agent_created"
    assert event.actor == admin_user
    assert "password1" not in event.data["fields"]
    assert "a-long-pass-phrase-42" not in str(event.data)


def test_agent_admin_records_role_change(admin_client):
    agent = AgentFactory(username="ana", role=Role.CUSTOMER_SERVICE)
    admin_client.post(f"{AGENTS}{agent.pk}/change/", agent_form(agent, role=Role.ADMIN))
    (event,) = events_of(agent)
    assert event.kind == "agent_changed"
    assert event.data["fields"] == ["role"]
    assert event.data["role"] == Role.ADMIN


def test_agent_admin_records_deactivation(admin_client):
    agent = AgentFactory(username="ana")
    admin_client.post(f"{AGENTS}{agent.pk}/change/", agent_form(agent, is_active=""))
    (event,) = events_of(agent)
    assert event.data["active"] is False


def test_agent_admin_rejected_form_records_nothing(admin_client, admin_user):
    agent = AgentFactory(username="ana")
    admin_client.post(f"{AGENTS}{agent.pk}/change/", agent_form(agent, role="wizard"))
    assert events_of(agent) == []


def test_agent_admin_records_password_set(admin_client):
    agent = AgentFactory(username="ana")
    passwords = {"password1": "another-long-phrase-7", "password2": "another-long-phrase-7"}
    admin_client.post(f"{AGENTS}{agent.pk}/password/", {**passwords, "usable_password": "true"})
    (event,) = events_of(agent)
    assert event.kind == "agent_password_set"
    assert event.data == {}


def test_team_admin_records_new_team_with_members(admin_client):
    agent = AgentFactory(username="ines", role=Role.SECOND_LINE)
    admin_client.post(f"{TEAMS}add/", team_form(members=[str(agent.pk)]))
    (event,) = events_of(Team.objects.get(slug="second_line"))
    assert event.kind == "team_created"
    assert event.data["members"] == ["ines"]


def warnings_of(page) -> list[str]:
    return [str(message) for message in page.context["messages"] if message.level_tag == "warning"]


def test_agent_admin_add_form_offers_teams(admin_client):
    TeamFactory(slug="second_line", name="2nd line", role=Role.SECOND_LINE)
    content = admin_client.get(f"{AGENTS}add/").content.decode()
    assert 'name="teams"' in content
    assert "2nd line (2nd line)" in content


def test_agent_admin_adds_agent_to_teams(admin_client):
    team = TeamFactory(slug="second_line", name="2nd line", role=Role.SECOND_LINE)
    page = admin_client.post(f"{AGENTS}add/", new_agent_form(teams=[str(team.pk)]), follow=True)
    agent = User.objects.get(username="marta")
    assert list(agent.teams.all()) == [team]
    assert warnings_of(page) == []
    (event,) = events_of(agent)
    assert "teams" in event.data["fields"]
    assert event.data["teams"] == ["second_line"]


def test_agent_admin_changes_teams(admin_client):
    old = TeamFactory(slug="front", name="Front", role=Role.CUSTOMER_SERVICE)
    new = TeamFactory(slug="desk", name="Desk", role=Role.CUSTOMER_SERVICE)
    agent = AgentFactory(username="ana", role=Role.CUSTOMER_SERVICE)
    old.members.add(agent)
    page = admin_client.post(f"{AGENTS}{agent.pk}/change/", agent_form(agent, teams=[str(new.pk)]))
    assert page.status_code == 302
    assert list(agent.teams.all()) == [new]


def test_agent_admin_deactivation_in_teams_rejected(admin_client):
    team = TeamFactory(slug="front", name="Front", role=Role.CUSTOMER_SERVICE)
    agent = AgentFactory(username="ana", role=Role.CUSTOMER_SERVICE)
    team.members.add(agent)
    page = admin_client.post(f"{AGENTS}{agent.pk}/change/", agent_form(agent, is_active=""))
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["teams"] == [
        "An inactive agent cannot be a team member: "
        "remove ana from Front, or keep the agent active."
    ]
    agent.refresh_from_db()
    assert agent.is_active
    assert list(agent.teams.all()) == [team]
    assert events_of(agent) == []


def test_agent_admin_deactivation_with_teams_cleared(admin_client):
    team = TeamFactory(slug="front", name="Front", role=Role.CUSTOMER_SERVICE)
    agent = AgentFactory(username="ana", role=Role.CUSTOMER_SERVICE)
    team.members.add(agent)
    page = admin_client.post(
        f"{AGENTS}{agent.pk}/change/", agent_form(agent, is_active="", teams=[])
    )
    assert page.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active
    assert not agent.teams.exists()


def test_agent_admin_role_change_warns_about_teams(admin_client):
    team = TeamFactory(slug="front", name="Front", role=Role.CUSTOMER_SERVICE)
    agent = AgentFactory(username="ana", role=Role.CUSTOMER_SERVICE)
    team.members.add(agent)
    page = admin_client.post(
        f"{AGENTS}{agent.pk}/change/", agent_form(agent, role=Role.RELEASE), follow=True
    )
    assert warnings_of(page) == [
        "ana has the role Release but is a member of Front (Customer Service). "
        "Change the agent's teams or role if the agent does not work there."
    ]
    agent.refresh_from_db()
    assert agent.role == Role.RELEASE


def test_agent_admin_unchanged_teams_no_warning(admin_client):
    team = TeamFactory(slug="front", name="Front", role=Role.CUSTOMER_SERVICE)
    agent = AgentFactory(username="ana", role=Role.RELEASE)
    team.members.add(agent)
    page = admin_client.post(
        f"{AGENTS}{agent.pk}/change/", agent_form(agent, first_name="Ana"), follow=True
    )
    assert warnings_of(page) == []


def test_team_admin_member_of_another_role_warns(admin_client):
    agent = AgentFactory(username="ines", role=Role.CUSTOMER_SERVICE)
    page = admin_client.post(f"{TEAMS}add/", team_form(members=[str(agent.pk)]), follow=True)
    assert warnings_of(page) == [
        "2nd line has the role 2nd line, but these members have another role: "
        "ines (Customer Service). Check that they belong in the team."
    ]
    assert list(Team.objects.get(slug="second_line").members.all()) == [agent]


def test_team_admin_matching_roles_no_warning(admin_client):
    agent = AgentFactory(username="ines", role=Role.SECOND_LINE)
    page = admin_client.post(f"{TEAMS}add/", team_form(members=[str(agent.pk)]), follow=True)
    assert warnings_of(page) == []


def test_admin_pages_speak_the_agents_language(client):
    admin = AgentFactory(username="rosa", role=Role.ADMIN, locale="pt-pt")
    client.force_login(admin)

    page = client.get(AGENTS, headers={"Accept-Language": "en"}).content.decode()

    assert '<html lang="pt-pt"' in page
    assert "Agentes" in page or "agentes" in page


def test_agent_password_help_is_in_portuguese(client):
    admin = AgentFactory(username="rosa", role=Role.ADMIN, locale="pt-pt")
    client.force_login(admin)

    page = client.get(f"{AGENTS}{admin.pk}/change/").content.decode()

    assert "ninguém pode ver a palavra-passe do agente" in page
    assert "Raw passwords are not stored" not in page


def test_add_agent_page_says_no_team_exists(admin_client):
    content = admin_client.get("/admin/accounts/user/add/").content.decode()
    assert "No team exists yet. Create the teams on the Teams page" in content


def test_add_agent_page_lists_existing_team(admin_client):
    TeamFactory(name="Front desk")
    content = admin_client.get("/admin/accounts/user/add/").content.decode()
    assert "Front desk" in content
    assert "No team exists yet" not in content


def test_admin_scripts_speak_portuguese(client):
    admin = AgentFactory(username="rosa", role=Role.ADMIN, locale="pt-pt")
    client.force_login(admin)

    script = client.get("/admin/jsi18n/").content.decode()

    # The catalogue is JavaScript, with non-ASCII letters escaped.
    assert "selecione os itens e carregue na seta" in script
    assert '"Available %s": "%s dispon\\u00edveis"' in script
    # Django's own Portuguese strings are still there.
    assert "Digite nesta caixa para filtrar" in script

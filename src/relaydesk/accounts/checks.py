"""Checks on agents and teams that the administration pages run before saving."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from relaydesk.accounts.errors import InvalidAgent, InvalidTeam
from relaydesk.accounts.models import Role, Team, User
from relaydesk.core import config


def check_agent_email(address: str, agent: User | None = None) -> str:
    """Return ``address`` stripped, or raise InvalidAgent when another agent has it.

    An empty address is allowed. ``agent`` is the one being changed, which
    may keep its own address. Addresses are compared case-insensitively.
    """
    address = (address or "").strip()
    if not address:
        return address
    if config.is_support_address(address):
        # Notifications to the agent would come back into the desk.
        raise InvalidAgent(
            _(
                "E-mail address %(address)s is one of this desk's support addresses: "
                "use the agent's own address."
            )
            % {"address": address}
        )
    others = User.objects.filter(email__iexact=address)
    if agent is not None:
        others = others.exclude(pk=agent.pk)
    existing = others.first()
    if existing is not None:
        raise InvalidAgent(
            _("E-mail address %(address)s already belongs to agent %(username)s.")
            % {"address": address, "username": existing.username}
        )
    return address


def check_keeps_an_admin(agent: User, role: str, is_active: bool) -> None:
    """Raise InvalidAgent when the change would leave no active administrator.

    The administration pages open only for active agents with the admin
    role, so without one no agent could add agents or give the role back.
    """
    if role == Role.ADMIN and is_active:
        return
    if not User.objects.filter(pk=agent.pk, role=Role.ADMIN, is_active=True).exists():
        return
    others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=agent.pk)
    if not others.exists():
        raise InvalidAgent(
            _(
                "%(username)s is the only active administrator: give another agent the "
                "Administrator role first."
            )
            % {"username": agent.username}
        )


def check_team_members(members: Iterable[User]) -> list[User]:
    """Return ``members`` as a list, or raise InvalidTeam when one is inactive."""
    members = list(members)
    inactive = sorted(member.username for member in members if not member.is_active)
    if inactive:
        raise InvalidTeam(
            _(
                "Inactive agents cannot be team members: %(usernames)s. "
                "Reactivate them or remove them from the team."
            )
            % {"usernames": ", ".join(inactive)}
        )
    return members


def check_agent_teams(username: str, is_active: bool, teams: Iterable[Team]) -> list[Team]:
    """Return ``teams`` as a list, or raise InvalidAgent when an inactive agent would be in one.

    This is ``check_team_members`` seen from the agent's side, so the agent
    and team pages agree on who may be a member.
    """
    teams = list(teams)
    if teams and not is_active:
        raise InvalidAgent(
            _(
                "An inactive agent cannot be a team member: remove %(username)s from "
                "%(teams)s, or keep the agent active."
            )
            % {"username": username, "teams": ", ".join(team.name for team in teams)}
        )
    return teams

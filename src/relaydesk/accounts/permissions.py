"""What each role may do. Views and API endpoints ask here, never inline."""

from relaydesk.accounts.models import Role, User

FRONT_OFFICE = {Role.CUSTOMER_SERVICE, Role.CSM, Role.ADMIN}
BACK_OFFICE = {Role.PRODUCTION_OPERATIONS, Role.SECOND_LINE, Role.RELEASE, Role.ADMIN}


def is_agent(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_work_tickets(user: User) -> bool:
    """Read tickets and add internal notes to them."""
    return is_agent(user) and (user.role in FRONT_OFFICE or user.role in BACK_OFFICE)


def can_answer_clients(user: User) -> bool:
    """Reply to clients on a ticket, assign it and change its status or priority.

    The front office talks to clients. The back office responds through the
    ticket's incident, and Customer Service passes the resolution on.
    """
    return is_agent(user) and user.role in FRONT_OFFICE


def can_manage_customers(user: User) -> bool:
    return is_agent(user) and user.role in FRONT_OFFICE


def can_escalate(user: User) -> bool:
    """Escalate a ticket to Production Operations or link it to an incident."""
    return is_agent(user) and user.role in FRONT_OFFICE


def can_inform_client(user: User) -> bool:
    """Send the back office's answer on to the client."""
    return is_agent(user) and user.role in FRONT_OFFICE


def can_see_incident_summary(user: User) -> bool:
    """See an incident's number, status and public resolution, nothing more."""
    return is_agent(user)


def can_work_back_office(user: User) -> bool:
    """See and edit incidents, known errors, changes and deployments in full."""
    return is_agent(user) and user.role in BACK_OFFICE


def can_administer(user: User) -> bool:
    """Edit agents, teams, plans, calendars, SLA policies and environments in the admin pages."""
    return is_agent(user) and user.role == Role.ADMIN

"""What each role may do. Views and API endpoints ask here, never inline."""

from relaydesk.accounts.models import Role, User

FRONT_OFFICE = {Role.CUSTOMER_SERVICE, Role.CSM, Role.ADMIN}
BACK_OFFICE = {Role.PRODUCTION_OPERATIONS, Role.SECOND_LINE, Role.RELEASE, Role.ADMIN}


def is_agent(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_work_tickets(user: User) -> bool:
    """Read tickets, reply, add notes, assign and change status or priority."""
    return is_agent(user) and (user.role in FRONT_OFFICE or user.role in BACK_OFFICE)


def can_manage_customers(user: User) -> bool:
    return is_agent(user) and user.role in FRONT_OFFICE

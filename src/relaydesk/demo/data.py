"""Demo organizations, agents, environments and conversations for ``make run``.

Tickets are created by feeding e-mail through the real intake pipeline, so the
demo shows what relaydesk does with mail rather than hand-made rows.
"""

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.db import transaction

from relaydesk.accounts.models import Role, Team, User
from relaydesk.core import clock, config
from relaydesk.customers import actions as customers
from relaydesk.customers.models import Organization, Plan
from relaydesk.operations import actions as operations
from relaydesk.operations.models import EnvironmentKind

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "relaydesk-demo"  # noqa: S105 - printed by `make run`, embedded mode only

AGENTS: tuple[tuple[str, str, str, str], ...] = (
    ("carla", "Carla Matos", Role.CUSTOMER_SERVICE, "pt-pt"),
    ("miguel", "Miguel Duarte", Role.CSM, "pt-pt"),
    ("sofia", "Sofia Reis", Role.CSM, "en"),
    ("pedro", "Pedro Alves", Role.PRODUCTION_OPERATIONS, "en"),
    ("ines", "Inês Carvalho", Role.SECOND_LINE, "pt-pt"),
    ("rui", "Rui Fonseca", Role.RELEASE, "en"),
    ("admin", "Admin", Role.ADMIN, "en"),
)

TEAMS: tuple[tuple[str, str, str], ...] = (
    ("customer_service", "Customer Service", Role.CUSTOMER_SERVICE),
    ("csm", "Customer Success", Role.CSM),
    ("production_operations", "Production Operations", Role.PRODUCTION_OPERATIONS),
    ("second_line", "2nd line", Role.SECOND_LINE),
    ("release", "Release", Role.RELEASE),
)

# Name, kind and pipeline order: a change goes to test first, then to production.
ENVIRONMENTS: tuple[tuple[str, str, int], ...] = (
    ("test", EnvironmentKind.TEST, 10),
    ("production", EnvironmentKind.PRODUCTION, 20),
)


@dataclass(frozen=True)
class DemoOrganization:
    name: str
    plan: str
    csm: str | None
    locale: str
    domain: str
    contacts: tuple[tuple[str, str], ...]


ORGANIZATIONS: tuple[DemoOrganization, ...] = (
    DemoOrganization(
        "Atlântico Seguros",
        "premium",
        "miguel",
        "pt-pt",
        "atlantico-seguros.example",
        (("Joana Ferreira", "joana.ferreira"), ("Tiago Lopes", "tiago.lopes")),
    ),
    DemoOrganization(
        "Northwind Logistics",
        "premium",
        "sofia",
        "en",
        "northwind.example",
        (("Olivia Grant", "olivia.grant"), ("Sam Okafor", "sam.okafor")),
    ),
    DemoOrganization(
        "Câmara Municipal de Vila Nova",
        "universal",
        None,
        "pt-pt",
        "cm-vilanova.example",
        (("Rita Sousa", "rita.sousa"),),
    ),
    DemoOrganization(
        "Bakery Brothers", "universal", None, "en", "bakerybros.example", (("Dan Miller", "dan"),)
    ),
    DemoOrganization(
        "Lumen Analytics",
        "universal",
        None,
        "en",
        "lumen-analytics.example",
        (("Priya Nair", "priya.nair"),),
    ),
)


def demo_logins() -> list[str]:
    return [f"{username} ({Role(role).label})" for username, _name, role, _locale in AGENTS]


def is_loaded() -> bool:
    return User.objects.filter(username=AGENTS[0][0]).exists()


def load() -> int:
    """Create the demo records and feed the sample mail; return tickets created."""
    with transaction.atomic():
        agents = _create_agents()
        _create_organizations(agents)
        _create_environments()
    return _feed_sample_mail()


def _create_agents() -> dict[str, User]:
    agents: dict[str, User] = {}
    for username, full_name, role, locale in AGENTS:
        first, _space, last = full_name.partition(" ")
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@desk.example",
            role=role,
            locale=locale,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        agents[username] = user
    for slug, name, role in TEAMS:
        team = Team.objects.create(slug=slug, name=name, role=role)
        team.members.set([user for user in agents.values() if user.role == role])
    return agents


def _create_organizations(agents: dict[str, User]) -> list[Organization]:
    organizations = []
    for demo in ORGANIZATIONS:
        organization = customers.create_organization(
            name=demo.name,
            plan=Plan.objects.get(code=demo.plan),
            csm=agents[demo.csm] if demo.csm else None,
            locale=demo.locale,
            domains=[demo.domain],
        )
        for name, local_part in demo.contacts:
            customers.create_contact(
                name=name,
                organization=organization,
                emails=[f"{local_part}@{demo.domain}"],
                locale=demo.locale,
            )
        organizations.append(organization)
    return organizations


def _create_environments() -> None:
    for name, kind, order in ENVIRONMENTS:
        operations.create_environment(name=name, kind=kind, order=order)


def _feed_sample_mail() -> int:
    from relaydesk.channels.email.intake import ingest
    from relaydesk.channels.email.models import Source
    from relaydesk.demo.mail import sample_messages

    created = 0
    for index, message in enumerate(sample_messages(config.support_addresses()[0])):
        result = ingest(message.as_bytes(), source=Source.IMPORT, source_ref=f"demo:{index}")
        created += result.outcome == "ticket_created"
    logger.info("demo mail fed", extra={"tickets_created": created})
    return created


def build_message(
    *, sender: str, to: str, subject: str, text: str, html: str = "", reply_to_id: str = ""
) -> EmailMessage:
    """Build one well-formed e-mail as a client's mail program would send it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].rstrip(">") or "demo")
    if reply_to_id:
        message["In-Reply-To"] = reply_to_id
        message["References"] = reply_to_id
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message

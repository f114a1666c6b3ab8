"""Typed request and response bodies of the REST API."""

from datetime import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, ValidationInfo, field_validator

from relaydesk.accounts.models import User
from relaydesk.core.text import MAX_TEXT_LENGTH, invisible_characters
from relaydesk.customers.actions import check_email_address
from relaydesk.customers.errors import InvalidContact
from relaydesk.customers.models import Channel, Contact, Organization
from relaydesk.tickets.models import (
    Attachment,
    Direction,
    MessageKind,
    Priority,
    Status,
    Ticket,
    Visibility,
)

MAX_SUBJECT_LENGTH = 500

# A row id in a request: positive, and within the databases' 64-bit integers,
# so an absurd one is a 422 instead of an overflow in the query.
MAX_ROW_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
# In a JSON body a row id must be a JSON integer: true, "1" or 1.0 is refused
# rather than read as contact 1. Query and path values are text, so RowId.
BodyRowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID, strict=True)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError(_("must contain more than whitespace"))
    return value


def _one_line(value: str) -> str:
    found = invisible_characters(value)
    if found:
        raise ValueError(
            _("must be one line without control characters; remove %(found)s")
            % {"found": ", ".join(found)}
        )
    return value


def _valid_email(value: str) -> str:
    try:
        return check_email_address(value)
    except InvalidContact as error:
        raise ValueError(error.message) from None


MessageText = Annotated[
    str, Field(min_length=1, max_length=MAX_TEXT_LENGTH), AfterValidator(_not_blank)
]
Subject = Annotated[
    str,
    Field(min_length=1, max_length=MAX_SUBJECT_LENGTH),
    AfterValidator(_not_blank),
    AfterValidator(_one_line),
]
EmailAddress = Annotated[str, Field(max_length=254), AfterValidator(_valid_email)]


class InputSchema(Schema):
    """A request body: a field it does not know, such as a misspelt one, is an error."""

    model_config = ConfigDict(extra="forbid")


class AgentRef(Schema):
    id: int
    username: str
    name: str

    @staticmethod
    def resolve_name(user: User) -> str:
        return user.get_full_name() or user.username


class PlanRef(Schema):
    code: str
    name: str


class OrganizationRef(Schema):
    id: int
    name: str
    plan: str = Field(description="Plan code: premium or universal.")

    @staticmethod
    def resolve_plan(organization: Organization) -> str:
        return organization.plan.code


class ContactRef(Schema):
    id: int
    name: str
    email: str | None = Field(description="The contact's first e-mail address.")

    @staticmethod
    def resolve_email(contact: Contact) -> str | None:
        emails = contact.emails.all()
        return emails[0].address if emails else None


class TicketOut(Schema):
    number: int
    reference: str = Field(description="The ticket's human reference, CS-<number>.")
    subject: str
    status: Status
    priority: Priority
    channel: Channel
    organization: OrganizationRef | None
    contact: ContactRef | None
    assignee: AgentRef | None
    team: str | None = Field(description="Slug of the assigned team.")
    created_at: datetime
    updated_at: datetime
    last_client_message_at: datetime | None

    @staticmethod
    def resolve_team(ticket: Ticket) -> str | None:
        return ticket.team.slug if ticket.team else None


class SupportLineOut(Schema):
    """The Universal limited line was closed when the ticket was opened."""

    opens_at: datetime = Field(description="When the line opens, in UTC.")
    notice: str = Field(description="The sentence to show the client, in the client's language.")


class CreatedTicketOut(TicketOut):
    support_line: SupportLineOut | None = Field(
        None,
        description=(
            "Set when the ticket was opened while its plan's limited line was closed: "
            "the client should be told when it opens."
        ),
    )


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int = Field(description="Size in bytes.")
    sha256: str
    inline: bool

    @staticmethod
    def resolve_content_type(attachment: Attachment) -> str:
        return attachment.declared_type or attachment.blob.detected_type

    @staticmethod
    def resolve_size(attachment: Attachment) -> int:
        return attachment.blob.size

    @staticmethod
    def resolve_sha256(attachment: Attachment) -> str:
        return attachment.blob.sha256


class MessageOut(Schema):
    id: int
    direction: Direction
    kind: MessageKind
    visibility: Visibility
    author: AgentRef | None = Field(description="The agent who wrote it, if an agent did.")
    contact_id: int | None = Field(description="The contact who sent it, for inbound messages.")
    from_address: str
    from_name: str
    subject: str
    text: str = Field(description="The full decoded text.")
    created_at: datetime
    sent_at: datetime | None
    delivery_status: str = Field(description="Delivery of outbound messages; empty otherwise.")
    delivery_error: str = Field(
        description=(
            "Why the last delivery attempt failed, while the message is retrying or failed; "
            "empty otherwise."
        )
    )
    attachments: list[AttachmentOut]


class TicketIn(InputSchema):
    """A new ticket for an existing contact (``contact_id``) or for an e-mail address.

    Give exactly one of ``contact_id`` and ``email``. A new address creates a
    contact, who joins the organization that owns the address's domain.
    """

    contact_id: BodyRowId | None = None
    # validate_default runs the check below even when email is left out.
    email: EmailAddress | None = Field(None, validate_default=True)
    name: str = Field("", max_length=200, description="Name for a contact created from email.")
    subject: Subject
    text: MessageText
    priority: Priority = Priority.NORMAL
    channel: Literal["api", "phone", "assistant", "portal"] = Field(
        "api",
        description=(
            "Where the client asked: a telephony system, the assistant widget's back end or "
            "the portal names its channel. The organization's plan must include it, and an "
            "hours-only channel (the Universal phone line) must be open."
        ),
    )

    @field_validator("email")
    @classmethod
    def _one_contact(cls, email: str | None, info: ValidationInfo) -> str | None:
        if "contact_id" not in info.data:
            return email  # contact_id itself is invalid and already reported.
        if (info.data["contact_id"] is None) == (email is None):
            raise ValueError(_("give exactly one of contact_id and email"))
        return email


class MessageIn(InputSchema):
    """A message added by the agent: a public ``reply``, an internal ``note``, or a
    ``client`` message recorded on the contact's behalf (for example from a call)."""

    kind: Literal["reply", "note", "client"]
    text: MessageText
    status: Status | None = Field(
        None, description="For replies only: the status the ticket moves to, e.g. pending_client."
    )

    @field_validator("status")
    @classmethod
    def _status_only_on_reply(cls, status: Status | None, info: ValidationInfo) -> Status | None:
        if status is not None and info.data.get("kind", "reply") != "reply":
            raise ValueError(_("status can only be set on a reply"))
        return status


class OrganizationOut(Schema):
    id: int
    name: str
    plan: PlanRef
    csm: AgentRef | None
    locale: str
    time_zone: str
    domains: list[str]
    created_at: datetime

    @staticmethod
    def resolve_domains(organization: Organization) -> list[str]:
        return [domain.domain for domain in organization.domains.all()]


class ContactOut(Schema):
    id: int
    name: str
    organization: OrganizationRef | None
    emails: list[str]
    phones: list[str] = Field(description="Phone numbers in E.164 form.")
    locale: str
    platform_user_id: str
    created_at: datetime

    @staticmethod
    def resolve_emails(contact: Contact) -> list[str]:
        return [email.address for email in contact.emails.all()]

    @staticmethod
    def resolve_phones(contact: Contact) -> list[str]:
        return [phone.number for phone in contact.phones.all()]

"""Organizations, contacts, plans and their entitlements."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from relaydesk.accounts.models import User


class PlanCode(models.TextChoices):
    PREMIUM = "premium", _("Premium")
    UNIVERSAL = "universal", _("Universal")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    ASSISTANT = "assistant", _("Assistant")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    AGENT = "agent", _("Created by an agent")


class Plan(models.Model):
    """A support plan and what it entitles an organization to.

    Admins edit plans in the database; the two shipped plans are created by a
    data migration.
    """

    code = models.CharField(_("code"), max_length=20, choices=PlanCode.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    channels = models.JSONField(
        _("channels"), default=list, help_text=_("Channels the plan may use.")
    )
    hours_only_channels = models.JSONField(
        _("only during support hours"),
        default=list,
        blank=True,
        help_text=_("Channels the plan may use only while its support hours are open."),
    )
    csm_required = models.BooleanField(_("Customer Success Manager required"), default=False)
    informs_client_on_close = models.BooleanField(
        _("informs the client when an incident closes"), default=False
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A client company or public body that relaydesk supports."""

    name = models.CharField(_("name"), max_length=200)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("plan")
    )
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_organizations",
        verbose_name=_("Customer Success Manager"),
    )
    locale = models.CharField(_("language"), max_length=10, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Lisbon")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def premium_csm(self) -> "User | None":
        """The Customer Success Manager if the plan is Premium, else None.

        Universal organizations may keep a CSM from an earlier Premium plan;
        the desk neither shows nor notifies that person.
        """
        return self.csm if self.plan.code == PlanCode.PREMIUM else None


class OrganizationDomain(models.Model):
    """An e-mail domain whose senders belong to the organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    def __str__(self) -> str:
        return self.domain


class Contact(models.Model):
    """A person who writes or calls for support, usually at an organization."""

    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    locale = models.CharField(_("language"), max_length=10, blank=True)
    platform_user_id = models.CharField(_("platform user ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        primary = self.emails.first()
        return self.name or (primary.address if primary else f"contact {self.pk}")

    @property
    def effective_locale(self) -> str:
        """The contact's language, else the organization's, else English."""
        if self.locale:
            return self.locale
        if self.organization_id:
            return self.organization.locale
        return "en"


class ContactEmail(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="emails")
    address = models.CharField(max_length=254, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.address


class ContactPhone(models.Model):
    """A phone number in E.164 form, such as +351211234567."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=16, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.number

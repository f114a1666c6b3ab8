"""Agents, teams, roles and API tokens."""

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("Customer Service")
    CSM = "csm", _("Customer Success Manager")
    PRODUCTION_OPERATIONS = "production_operations", _("Production Operations")
    SECOND_LINE = "second_line", _("2nd line")
    RELEASE = "release", _("Release")
    ADMIN = "admin", _("Administrator")


class AgentManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> "User":
        """Create an agent with the admin role, as ``relaydesk createsuperuser`` does.

        The administration pages open by role, not by Django's superuser
        flag, so a superuser without the admin role could not sign in there.
        """
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who signs in to relaydesk: an agent of one of the teams.

    The role decides what the agent may see and do; see ``accounts.permissions``.
    """

    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.CUSTOMER_SERVICE
    )
    locale = models.CharField(_("language"), max_length=10, default="en")

    objects = AgentManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Team(models.Model):
    """A group of agents that tickets and incidents can be assigned to."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    members = models.ManyToManyField(
        User, related_name="teams", blank=True, verbose_name=_("members")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

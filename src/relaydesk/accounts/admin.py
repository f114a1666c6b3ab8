"""Agents and teams in the administration pages.

Agents get Django's usual password forms. The admin role, not Django's
superuser or staff flag, opens these pages, so the forms leave those flags
and Django's permission groups out.

A change of role, team or active flag changes what an agent may do, so each
saved form also writes one timeline event (``agent_created``,
``agent_changed``, ``team_created``, ``team_changed``) naming the fields it
changed, never their secrets, and logs it.
"""

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from relaydesk.accounts.admin_site import AdminRoleModelAdmin, checked, site
from relaydesk.accounts.checks import (
    check_agent_email,
    check_agent_teams,
    check_keeps_an_admin,
    check_team_members,
)
from relaydesk.accounts.models import Team, User
from relaydesk.core import timeline

logger = logging.getLogger(__name__)

AGENT_FIELDS = ["first_name", "last_name", "email", "role", "locale"]
# Form fields that carry a secret, left out of the events.
SECRET_FIELDS = {"password", "password1", "password2", "usable_password"}


def _record_change(
    request: HttpRequest, subject: User | Team, form: forms.Form, change: bool
) -> None:
    """Write the timeline event and log line of one saved admin form."""
    noun = "team" if isinstance(subject, Team) else "agent"
    kind = f"{noun}_changed" if change else f"{noun}_created"
    changed = sorted(name for name in form.changed_data if name not in SECRET_FIELDS)
    data: dict[str, Any] = {"fields": changed}
    if "role" in changed:
        data["role"] = subject.role
    if "is_active" in changed and isinstance(subject, User):
        data["active"] = subject.is_active
    if "members" in changed and isinstance(subject, Team):
        data["members"] = sorted(member.username for member in subject.members.all())
    if "teams" in changed and isinstance(subject, User):
        data["teams"] = sorted(team.slug for team in subject.teams.all())
    timeline.record(subject, kind, actor=request.user, **data)
    logger.info(
        "account change saved",
        extra={"kind": kind, "subject": subject.pk, "actor": request.user.pk, "fields": changed},
    )


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The language of the desk pages until the agent picks another."),
    )


def _explain_usable_password(form: forms.Form) -> None:
    # Django's own help text speaks of single sign-on and LDAP, which
    # relaydesk does not offer, and has no Portuguese translation.
    if "usable_password" in form.fields:
        form.fields["usable_password"].help_text = _(
            "Whether the agent signs in with a password. Without one, the agent cannot "
            "sign in until an administrator sets a password."
        )


def _explain_missing_teams(form: forms.Form) -> None:
    # Without a team the field shows its label alone, and looks broken.
    if not Team.objects.exists():
        form.fields["teams"].help_text = _(
            "No team exists yet. Create the teams on the Teams page, then add the agent "
            "to them here or there."
        )


class TeamChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        # The role beside the name shows which teams match the agent's role.
        return f"{obj.name} ({obj.get_role_display()})"


def _teams_field() -> TeamChoiceField:
    return TeamChoiceField(
        label=_("Teams"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The teams whose tickets, incidents and notifications the agent shares. "
            "The Teams page edits the same membership."
        ),
    )


class AgentCreationForm(AdminUserCreationForm):
    locale = _language_field()
    teams = _teams_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _explain_usable_password(self)
        _explain_missing_teams(self)

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", *AGENT_FIELDS]

    def clean_email(self) -> str:
        return checked(check_agent_email, self.cleaned_data["email"])


class AgentChangeForm(UserChangeForm):
    locale = _language_field()
    teams = _teams_field()

    class Meta(UserChangeForm.Meta):
        model = User
        fields = ["username", "password", *AGENT_FIELDS, "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _explain_missing_teams(self)
        if self.instance.pk:
            self.initial["teams"] = list(self.instance.teams.values_list("pk", flat=True))
        if "password" in self.fields:
            # Django's own text has no Portuguese translation.
            self.fields["password"].help_text = _(
                "Passwords are stored only in a form that cannot be read back, so nobody "
                "can see the agent's password."
            )

    def clean_email(self) -> str:
        return checked(check_agent_email, self.cleaned_data["email"], self.instance)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        role, is_active = cleaned.get("role"), cleaned.get("is_active", False)
        if role:
            try:
                checked(check_keeps_an_admin, self.instance, role, is_active)
            except forms.ValidationError as error:
                self.add_error("role", error)
        if "teams" in cleaned:
            username = cleaned.get("username") or self.instance.username
            try:
                checked(check_agent_teams, username, is_active, cleaned["teams"])
            except forms.ValidationError as error:
                self.add_error("teams", error)
        return cleaned


def _warn_of_other_roles(request: HttpRequest, agent: User) -> None:
    """Warn when the agent is in teams of another role; such membership is allowed."""
    others = [team for team in agent.teams.all() if team.role != agent.role]
    if not others:
        return
    messages.warning(
        request,
        gettext(
            "%(username)s has the role %(role)s but is a member of %(teams)s. "
            "Change the agent's teams or role if the agent does not work there."
        )
        % {
            "username": agent.username,
            "role": agent.get_role_display(),
            "teams": ", ".join(f"{team.name} ({team.get_role_display()})" for team in others),
        },
    )


def _warn_of_other_members(request: HttpRequest, team: Team) -> None:
    """Warn when members of the team have another role than the team's."""
    others = [member for member in team.members.all() if member.role != team.role]
    if not others:
        return
    messages.warning(
        request,
        gettext(
            "%(team)s has the role %(role)s, but these members have another role: "
            "%(agents)s. Check that they belong in the team."
        )
        % {
            "team": team.name,
            "role": team.get_role_display(),
            "agents": ", ".join(
                f"{member.username} ({member.get_role_display()})" for member in others
            ),
        },
    )


class AgentPasswordForm(AdminPasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _explain_usable_password(self)


@admin.register(User, site=site)
class AgentAdmin(AdminRoleModelAdmin, UserAdmin):
    form = AgentChangeForm
    add_form = AgentCreationForm
    change_password_form = AgentPasswordForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Agent"), {"fields": (*AGENT_FIELDS, "is_active", "teams")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Agent"), {"classes": ("wide",), "fields": (*AGENT_FIELDS, "teams")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    list_display = ["username", "first_name", "last_name", "email", "role", "is_active"]
    list_filter = ["role", "is_active", "teams"]
    filter_horizontal = []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Timeline events keep their actor, so an agent who leaves is deactivated.
        return False

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            agent = self.get_object(request, id)
            timeline.record(agent, "agent_password_set", actor=request.user)
            logger.info("agent password set", extra={"subject": agent.pk, "actor": request.user.pk})
        return response

    def save_related(
        self, request: HttpRequest, form: forms.Form, formsets: Any, change: bool
    ) -> None:
        # Teams are saved here, after the agent itself, so the event lists them.
        super().save_related(request, form, formsets, change)
        agent = form.instance
        agent.teams.set(form.cleaned_data["teams"])
        _record_change(request, agent, form, change)
        if not change or {"role", "teams"} & set(form.changed_data):
            _warn_of_other_roles(request, agent)


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "slug", "role", "members"]
        help_texts = {
            "slug": _("A short name for links, such as second_line."),
            "role": _("Transfers to the 2nd line go to the oldest team with the 2nd line role."),
        }

    def clean_members(self) -> list[User]:
        return checked(check_team_members, self.cleaned_data["members"])


@admin.register(Team, site=site)
class TeamAdmin(AdminRoleModelAdmin):
    form = TeamForm
    list_display = ["name", "role", "member_list"]
    list_filter = ["role"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("members")

    def save_related(
        self, request: HttpRequest, form: forms.Form, formsets: Any, change: bool
    ) -> None:
        # Members are saved here, after the team itself, so the event lists them.
        super().save_related(request, form, formsets, change)
        _record_change(request, form.instance, form, change)
        if not change or {"role", "members"} & set(form.changed_data):
            _warn_of_other_members(request, form.instance)

    @admin.display(description=_("Members"))
    def member_list(self, team: Team) -> str:
        return ", ".join(str(member) for member in team.members.all())

"""Factories for the records most tests need."""

import datetime

import factory

from relaydesk.accounts.models import Role, Team, User
from relaydesk.customers.models import Contact, ContactEmail, Organization, OrganizationDomain, Plan
from relaydesk.sla.models import Calendar, OpeningInterval


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Sequence(lambda n: f"Agent{n}")
    email = factory.LazyAttribute(lambda agent: f"{agent.username}@desk.example")
    role = Role.CUSTOMER_SERVICE
    password = factory.django.Password("correct-horse-battery")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"team{n}")
    name = factory.LazyAttribute(lambda team: team.slug.title())
    role = Role.CUSTOMER_SERVICE


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Client {n}")
    plan = factory.LazyFunction(lambda: Plan.objects.get(code="universal"))
    locale = "en"

    @factory.post_generation
    def domain(self, create, extracted, **kwargs):
        if create and extracted:
            OrganizationDomain.objects.create(organization=self, domain=extracted)


class PremiumOrganizationFactory(OrganizationFactory):
    plan = factory.LazyFunction(lambda: Plan.objects.get(code="premium"))
    csm = factory.SubFactory(AgentFactory, role=Role.CSM)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Contact {n}")
    organization = factory.SubFactory(OrganizationFactory)

    @factory.post_generation
    def email(self, create, extracted, **kwargs):
        if create:
            address = extracted or f"contact{self.pk}@client.example"
            ContactEmail.objects.create(contact=self, address=address)


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Europe/Lisbon"
    holiday_country = "PT"


class OpeningIntervalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningInterval

    calendar = factory.SubFactory(CalendarFactory)
    weekday = 0
    start_time = datetime.time(9)
    end_time = datetime.time(18)


class EnvironmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "operations.Environment"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"env{n}")
    kind = "test"
    order = factory.Sequence(lambda n: n)

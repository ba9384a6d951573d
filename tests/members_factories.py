"""Factories for the members app (plans, memberships, bundles, deposits)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone
from factories import PatientFactory

from medspa.catalog import DEFAULT_CATALOG
from medspa.models import Service
from members.models import Bundle, Deposit, Membership, MembershipPlan


def service(name: str) -> Service:
    """A catalog service; recreated from the default catalog after a transactional test flushed it."""
    entry = next(e for e in DEFAULT_CATALOG if e.name == name)
    return Service.objects.get_or_create(name=name, defaults={
        "category": entry.category, "return_interval_days": entry.return_interval_days,
        "aliases": list(entry.aliases), "typical_value": entry.typical_value,
    })[0]


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipPlan
        django_get_or_create = ("name",)

    name = "Glow Club"
    monthly_fee = Decimal("99.00")
    credit_kind = MembershipPlan.CreditKind.MONEY
    credits_per_cycle = Decimal("100.00")
    member_discount_percent = Decimal("10")
    rollover_cycles = 0
    expiry_rule = MembershipPlan.ExpiryRule.CYCLE_END
    minimum_term_months = 3
    cancellation_notice_days = 30
    max_freeze_months_per_year = 2


def tox_plan(**kwargs) -> MembershipPlan:
    return PlanFactory(
        name="Tox Club", monthly_fee=Decimal("149"), credit_kind="service_units", credits_per_cycle=20,
        credit_service=service("Neurotoxin"), **kwargs,
    )


def start_membership(patient, plan=None, *, started_on: dt.date, by=None) -> Membership:
    """Enrol through the public method; credits for the first cycle are granted as it would in the app."""
    return Membership.start(patient=patient, plan=plan or PlanFactory(), by=by, started_on=started_on)


class BundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bundle

    patient = factory.SubFactory(PatientFactory)
    service = factory.LazyFunction(lambda: service("Laser hair removal"))
    location = factory.LazyAttribute(lambda b: b.patient.location)
    sessions_purchased = 6
    price_paid = Decimal("1500.00")
    purchased_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    expires_on = factory.LazyAttribute(lambda b: b.purchased_on + dt.timedelta(days=365))


class DepositFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deposit

    patient = factory.SubFactory(PatientFactory)
    location = factory.LazyAttribute(lambda d: d.patient.location)
    amount = Decimal("100.00")

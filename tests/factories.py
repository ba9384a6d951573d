"""factory_boy factories for the shared clinic model."""

import datetime as dt

import factory
from django.utils import timezone

from medspa.models import Location, Patient, Provider, Service, User, Visit

PASSWORD = "demo-pass-123"


def free_number(start: int) -> str:
    """+1415555<start>, or the next number no location or event holds yet."""
    from medspa.models import PhoneNumberClaim

    n = start
    while PhoneNumberClaim.objects.filter(number=f"+1415555{n:04d}").exists():
        n += 37
    return f"+1415555{n:04d}"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    time_zone = "America/Los_Angeles"
    # Each number belongs to one location (PhoneNumberClaim): the first location gets the usual numbers.
    phone = factory.LazyFunction(lambda: free_number(199))
    sms_number = factory.LazyFunction(lambda: free_number(100))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    role = "coordinator"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Provider {n}")

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    phone = factory.Sequence(lambda n: f"+1415555{1000 + n % 9000:04d}")
    location = factory.SubFactory(LocationFactory)
    sms_consent = True
    sms_consent_source = Patient.ConsentSource.INTAKE_FORM
    sms_consent_at = factory.LazyFunction(timezone.now)


def service(name: str) -> Service:
    """A catalog service. The data migration loads them, but transactional tests flush tables,
    so recreate the default entry when it is missing."""
    from medspa.catalog import DEFAULT_CATALOG

    entry = next(e for e in DEFAULT_CATALOG if e.name == name)
    return Service.objects.get_or_create(name=name, defaults={
        "category": entry.category, "return_interval_days": entry.return_interval_days,
        "aliases": list(entry.aliases), "typical_value": entry.typical_value})[0]


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    patient = factory.SubFactory(PatientFactory)
    service = factory.LazyFunction(lambda: service("Neurotoxin"))
    location = factory.LazyAttribute(lambda v: v.patient.location)
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    status = Visit.Status.COMPLETED
    value = 450

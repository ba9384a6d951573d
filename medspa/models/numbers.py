"""Phone numbers the clinic answers on, one owner each.

A call or text is routed by the number it was sent to: a location's voice, SMS or public number, or
an event's tracking number. Two holders sharing a number would let one location's calls land at
another, so every such number is claimed here and the unique constraint on `number` refuses a second
claim across locations and events (a location may use one number for voice and texts: one claim).
Holders keep their claims in step when they are saved (`claim_numbers`); forms and `clean()` ask
`conflicts()` first to show a clear error.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from phonenumber_field.modelfields import PhoneNumberField


class PhoneNumberClaim(models.Model):
    number = PhoneNumberField()
    holder = models.CharField(max_length=40, help_text="location:<id> or event:<id>")
    holder_name = models.CharField(max_length=200, blank=True)
    location = models.ForeignKey("medspa.Location", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["number"], name="phone_number_claim_unique")]
        indexes = [models.Index(fields=["holder"], name="phone_claim_holder_idx")]

    def __str__(self) -> str:
        return f"{self.number} → {self.holder_name or self.holder}"


def _numbers(values) -> set[str]:
    return {str(v) for v in values if v}


def conflicts(holder: str, numbers) -> dict[str, str]:
    """number -> who else holds it (empty when all are free for `holder`)."""
    taken = PhoneNumberClaim.objects.filter(number__in=_numbers(numbers)).exclude(holder=holder)
    return {str(c.number): c.holder_name or c.holder for c in taken}


def conflict_errors(holder: str, fields: dict) -> dict[str, str]:
    """field name -> error message, for `fields` (name -> number) already held by someone else."""
    taken = conflicts(holder, fields.values())
    return {name: f"{value} is already used by {taken[str(value)]}; each number can belong to one location "
                  f"or event only." for name, value in fields.items() if value and str(value) in taken}


def claim_numbers(holder: str, holder_name: str, location, numbers) -> None:
    """Make `holder`'s claims exactly `numbers` (call inside the holder's save transaction)."""
    wanted = _numbers(numbers)
    with transaction.atomic():
        PhoneNumberClaim.objects.filter(holder=holder).exclude(number__in=wanted).delete()
        PhoneNumberClaim.objects.filter(holder=holder).update(holder_name=holder_name[:200], location=location)
        have = {str(n) for n in PhoneNumberClaim.objects.filter(holder=holder).values_list("number", flat=True)}
        for number in wanted - have:
            try:
                with transaction.atomic():
                    PhoneNumberClaim.objects.create(number=number, holder=holder, holder_name=holder_name[:200],
                                                    location=location)
            except IntegrityError:
                raise ValidationError(f"{number} is already used by another location or event.") from None


def release_numbers(holder: str) -> None:
    PhoneNumberClaim.objects.filter(holder=holder).delete()

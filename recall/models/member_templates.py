"""Owner-edited wording for member touchpoints: one row per kind, validated like recall wording."""

from django.core.exceptions import ValidationError
from django.db import models

from ..wording import validate_template
from .rules import KIND_MAX_LENGTH, MemberKind

DEFAULT_MEMBER_TEMPLATES = {
    MemberKind.RENEWAL: "Hi {first_name}, {clinic} here. Your membership renews soon. Questions, or want to book "
                        "a visit? Tap here: {link} Reply STOP to opt out.",
    MemberKind.CREDITS_EXPIRING: "Hi {first_name}, it's {clinic}. Some of your membership credits expire soon. "
                                 "Ask for a time to use them here: {link} Reply STOP to opt out.",
    MemberKind.BUNDLE_IDLE: "Hi {first_name}, {clinic} here. You still have sessions left in your package. Ask "
                            "for a time that suits you: {link} Reply STOP to opt out.",
    MemberKind.BUNDLE_EXPIRING: "Hi {first_name}, it's {clinic}. Your package expires soon and you still have "
                                "sessions left. Ask for a time here: {link} Reply STOP to opt out.",
}
# A member text never carries a balance or a price: the template may not contain a currency sign.
CURRENCY_SIGNS = "$£€¥¤"


def validate_member_template(text: str) -> None:
    problems = []
    try:
        validate_template(text)
    except ValidationError as exc:
        problems.extend(exc.messages)
    signs = sorted({ch for ch in text or "" if ch in CURRENCY_SIGNS})
    if signs:
        problems.append("Member texts never state a balance or price: remove " + " ".join(signs) + ".")
    if problems:
        raise ValidationError(problems)


class MemberTouchTemplate(models.Model):
    kind = models.CharField(max_length=KIND_MAX_LENGTH, choices=MemberKind.choices, unique=True)
    body = models.TextField(help_text="Only {first_name}, {clinic} and {link}; never a treatment name, balance or "
                                      "price. GSM-7 characters, at most two text segments.")
    is_active = models.BooleanField(default=True, help_text="Off: this member touchpoint is not sent.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"Member text: {self.get_kind_display()}"

    def clean(self):
        try:
            validate_member_template(self.body)
        except ValidationError as exc:
            raise ValidationError({"body": exc.messages}) from exc

    @classmethod
    def by_kind(cls) -> dict[str, "MemberTouchTemplate"]:
        """Every kind's template (missing rows are created with the default wording)."""
        found = {t.kind: t for t in cls.objects.all()}
        for kind in MemberKind.values:
            if kind not in found:
                found[kind], _ = cls.objects.get_or_create(kind=kind, defaults={"body": DEFAULT_MEMBER_TEMPLATES[kind]})
        return found

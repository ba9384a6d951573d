"""A patient's member figures, in one shape, without the core (or calls) importing the members app.

settings.MEMBER_FIGURES names the module that computes them (`members.figures`), the way the dashboard
finds the apps' sections by name: `for_staff` is what every inbox item and call summary shows,
`for_caller` what approved wording may say to a verified caller.
"""

from importlib import import_module

from django.conf import settings


def for_staff(patient) -> dict | None:
    """Handoff.context["member"]: plan, status, balance, renewal_date, cancel_by, ends_on, bundles,
    deposits_held; None for a patient who is neither a member nor holds bundle sessions."""
    return import_module(settings.MEMBER_FIGURES).member_context(patient)


def for_caller(patient) -> dict:
    return import_module(settings.MEMBER_FIGURES).figures(patient)

from django import template

register = template.Library()


@register.filter
def credits(amount, plan) -> str:
    """`{{ balance|credits:plan }}` -> "$100.00" or "20 Neurotoxin units"."""
    return plan.format_credits(amount)

"""One htmx idiom for every page (django-htmx-patterns' `for_htmx`).

A view returns its full page as a `TemplateResponse`; `@for_htmx(use_template=...)` swaps in the partial
when htmx asks for it (and, with `if_hx_target`, only when htmx targets that element), with the same
context. Plain requests get the full page, so every page still works without JavaScript. A successful
htmx form answers with an event (`django_htmx.http.trigger_client_event`), never custom JavaScript.
"""

from functools import wraps


def for_htmx(*, use_template: str, if_hx_target: str | None = None):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if not hasattr(response, "template_name"):
                return response  # a redirect, a CSV...
            if request.htmx and (if_hx_target is None or request.htmx.target == if_hx_target):
                response.template_name = use_template
            return response.render()  # here, inside whatever the view runs in (a dashboard's transaction)

        return wrapper

    return decorator

"""Response headers for health data: nothing is cached, no browser feature is offered to our pages."""

from django.conf import settings
from django.utils.cache import patch_cache_control


class PrivacyHeadersMiddleware:
    """`Cache-Control: no-store, private` on every response a view produced (patient pages, the API,
    exports, the patient link page), unless the view chose its own; a Permissions-Policy everywhere.

    Static files are served by WhiteNoise before this runs and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, no_store=True, private=True)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response

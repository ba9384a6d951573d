"""Settings for the gunicorn that `python -m bench webhook` starts: the project's, plus the reference views."""

from medspa.settings import *  # noqa: F403

ROOT_URLCONF = "bench.webhook_site"

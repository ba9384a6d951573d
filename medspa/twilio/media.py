"""MMS media: fetched from Twilio with the account's credentials into private storage.

Twilio's MediaUrl needs HTTP Basic auth with the account SID and token (when "HTTP basic auth for
media" is on, as it should be for patient photos). The bytes go through Django's storage API into the
`private_media` storage; no URL serves that storage, only the inbox's audited view.
"""

import logging
import mimetypes

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from ..models import MessageMedia
from .client import TIMEOUT, api_url
from .webhooks import Media

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024
ALLOWED = ("image/", "video/", "audio/", "application/pdf", "text/vcard", "text/x-vcard")


def fetch(url: str) -> tuple[bytes, str]:
    response = requests.get(api_url(url), auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
                            timeout=TIMEOUT, stream=True)
    response.raise_for_status()
    content, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise ValueError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        content.append(chunk)
    return b"".join(content), response.headers.get("Content-Type", "").split(";")[0].strip()


def store(*, location, handoff, message_sid: str, media: list[Media]) -> list[MessageMedia]:
    """Copy each media item once (retries find the row and skip it); a failed fetch is recorded, not raised."""
    stored = []
    for index, item in enumerate(media):
        try:
            with transaction.atomic():
                row = MessageMedia.objects.create(location=location, handoff=handoff, message_sid=message_sid,
                                                  index=index, content_type=item.content_type or "")
        except IntegrityError:
            row = MessageMedia.objects.get(message_sid=message_sid, index=index)
            if row.file:
                stored.append(row)
                continue
        try:
            data, content_type = fetch(item.url)
            content_type = item.content_type or content_type
            if not content_type.startswith(ALLOWED):
                raise ValueError(f"{content_type or 'unknown type'} is not accepted.")
            extension = mimetypes.guess_extension(content_type) or ".bin"
            row.file.save(f"{message_sid}-{index}{extension}", ContentFile(data), save=False)
            row.content_type, row.size, row.fetch_error = content_type, len(data), ""
        except (requests.RequestException, ValueError) as exc:
            log.warning("Could not fetch media %s of %s: %s", index, message_sid, exc)
            row.fetch_error = str(exc)[:250]
        row.handoff = handoff
        row.save()
        stored.append(row)
    return stored

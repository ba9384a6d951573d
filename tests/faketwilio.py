"""A local stand-in for api.twilio.com that the official twilio client talks to over HTTP.

It checks what it receives the way Twilio would (Basic auth with the account SID and token, the
account in the path, required form fields, E.164 numbers, body length), and it checks EVERY request
it receives and EVERY response it gives against Twilio's published OpenAPI contract
(tests/twilio_contract.py); a mismatch is recorded in `violations` and fails the test that used the
fake (conftest's fixture). Tests script behaviour:

- `fail_next(status=429, code=20429)`: the next message create(s) fail;
- `outage(code=20003, status=401, until=epoch)`: every API request fails until then (the clock is
  time.time(), so time-machine moves it);
- `answer_next(status="failed", error_code=30006)`: the next create is accepted with that status;
- `add_media(data, content_type)`: a media URL that needs the account's credentials to fetch.
"""

import base64
import json
import re
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from twilio_contract import twilio_contract

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
API = "/2010-04-01/Accounts/"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")
CALL_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Calls/(?P<call>CA\w+)\.json$")
ACCOUNT_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)\.json$")
NUMBERS_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/IncomingPhoneNumbers\.json$")
MEDIA_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages/(?P<msg>MM\w+)/Media/(?P<media>ME\w+)$")


def rfc2822(epoch: float | None = None) -> str:
    return formatdate(epoch if epoch is not None else time.time(), usegmt=True).replace("GMT", "+0000")


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict] = []
        self.rejected: list[dict] = []
        self.requests: list[dict] = []
        self.violations: list[str] = []
        self.media: dict[str, tuple[bytes, str]] = {}
        self.numbers: dict[str, dict] = {}  # phone -> capabilities; empty means "every number can text"
        self._failures: list[tuple[int, int, str]] = []
        self._answers: list[tuple[str, int | None]] = []
        self._outage: tuple[int, int, float] | None = None
        self._lock = threading.Lock()
        self.contract = twilio_contract()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self, method: str, form: dict):
                status, payload = fake.handle(method, self.path, self.headers.get("Authorization", ""), form)
                if isinstance(payload, tuple):  # raw media bytes
                    body, content_type = payload
                else:
                    body, content_type = json.dumps(payload).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                self._answer("POST", {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()})

            def do_GET(self):
                query = urlsplit(self.path).query
                self._answer("GET", {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeTwilio":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- scripting ---------------------------------------------------------------------------

    def fail_next(self, *, status: int, code: int, message: str = "scripted failure", times: int = 1) -> None:
        with self._lock:
            self._failures.extend([(status, code, message)] * times)

    def answer_next(self, *, status: str, error_code: int | None = None, times: int = 1) -> None:
        with self._lock:
            self._answers.extend([(status, error_code)] * times)

    def outage(self, *, code: int, status: int, until: float) -> None:
        with self._lock:
            self._outage = (status, code, until)

    def add_media(self, data: bytes, content_type: str) -> str:
        url = f"https://api.twilio.com{API}{self.account_sid}/Messages/MM{uuid.uuid4().hex}/Media/ME{uuid.uuid4().hex}"
        self.media[urlsplit(url).path] = (data, content_type)
        return url

    # --- the API -----------------------------------------------------------------------------

    def handle(self, method: str, path: str, authorization: str, form: dict):
        with self._lock:
            self.requests.append({"method": method, "path": path, "form": form})
            media = MEDIA_PATH.match(urlsplit(path).path)
            if media:  # raw media: documented as Media/{Sid}.json for its metadata
                self.violations += self.contract.check_request("GET", urlsplit(path).path + ".json", {})
                return self._media(urlsplit(path).path, authorization)
            self.violations += self.contract.check_request(method, path, form)
            status, payload = self._route(method, path, authorization, form)
            self.violations += self.contract.check_response(method, path, status, payload)
            return status, payload

    def _error(self, status: int, code: int, message: str) -> tuple[int, dict]:
        return status, {"code": code, "message": message, "status": status,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}"}

    def _authorized(self, authorization: str) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return authorization == expected

    def _media(self, path: str, authorization: str):
        if not self._authorized(authorization):
            return 401, {"code": 20003, "message": "Authenticate", "status": 401,
                         "more_info": "https://www.twilio.com/docs/errors/20003"}
        if path not in self.media:
            return self._error(404, 20404, "The requested resource was not found")
        return 200, self.media[path]

    def _route(self, method: str, path: str, authorization: str, form: dict) -> tuple[int, dict]:
        if not self._authorized(authorization):
            return self._error(401, 20003, "Authenticate")
        if self._outage and time.time() < self._outage[2]:
            status, code, _ = self._outage
            return self._error(status, code, "scripted outage")
        plain = urlsplit(path).path
        if method == "GET" and ACCOUNT_PATH.match(plain):
            return 200, self._account()
        if method == "GET" and NUMBERS_PATH.match(plain):
            return 200, self._numbers(form.get("PhoneNumber", ""))
        if method == "POST" and CALL_PATH.match(plain):
            return 200, {"sid": CALL_PATH.match(plain)["call"], "status": "in-progress",
                         "account_sid": self.account_sid}
        match = MESSAGES_PATH.match(plain)
        if method != "POST" or not match or match["sid"] != self.account_sid:
            return self._error(404, 20404, "The requested resource was not found")
        problem = self._validate_message(form)
        if problem:
            self.rejected.append({"form": form, "problem": problem})
            return self._error(400, 21604 if "To" in problem else 21602, problem)
        if self._failures:
            status, code, message = self._failures.pop(0)
            self.rejected.append({"form": form, "problem": f"scripted {status}/{code}"})
            return self._error(status, code, message)
        status, error_code = self._answers.pop(0) if self._answers else ("queued", None)
        message = self._message(form, status, error_code)
        self.messages.append({**message, "status_callback": form.get("StatusCallback")})
        return 201, message

    def _message(self, form: dict, status: str, error_code: int | None) -> dict:
        sid = "SM" + uuid.uuid4().hex
        now = rfc2822()
        return {"account_sid": self.account_sid, "api_version": "2010-04-01", "body": form["Body"],
                "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
                "error_code": error_code, "error_message": "scripted" if error_code else None,
                "from": form.get("From"), "messaging_service_sid": None, "num_media": "0", "num_segments": "1",
                "price": None, "price_unit": "USD", "sid": sid, "status": status, "to": form["To"],
                "subresource_uris": {"media": f"{API}{self.account_sid}/Messages/{sid}/Media.json"},
                "uri": f"{API}{self.account_sid}/Messages/{sid}.json"}

    def _account(self) -> dict:
        now = rfc2822()
        return {"auth_token": self.auth_token, "date_created": now, "date_updated": now,
                "friendly_name": "Med spa test", "owner_account_sid": self.account_sid, "sid": self.account_sid,
                "status": "active", "subresource_uris": {}, "type": "Full",
                "uri": f"{API}{self.account_sid}.json"}

    def _numbers(self, phone: str) -> dict:
        capabilities = self.numbers.get(phone, {"voice": True, "sms": True, "mms": True, "fax": False})
        items = [] if capabilities is None else [{
            "account_sid": self.account_sid, "phone_number": phone, "sid": "PN" + uuid.uuid4().hex,
            "capabilities": capabilities, "status": "in-use", "friendly_name": phone,
            "api_version": "2010-04-01", "date_created": rfc2822(), "date_updated": rfc2822(),
        }]
        uri = f"{API}{self.account_sid}/IncomingPhoneNumbers.json?PageSize=1&Page=0"
        return {"incoming_phone_numbers": items, "end": len(items) - 1 if items else 0, "first_page_uri": uri,
                "next_page_uri": None, "page": 0, "page_size": 1, "previous_page_uri": None, "start": 0,
                "uri": uri}

    @staticmethod
    def _validate_message(form: dict) -> str | None:
        if not E164.match(form.get("To", "")):
            return "A 'To' phone number in E.164 format is required."
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return "A 'From' phone number or MessagingServiceSid is required."
        if not form.get("From", "+1").startswith("+") and not form.get("MessagingServiceSid"):
            return "The 'From' number is not in E.164 format."
        if not form.get("Body"):
            return "Message body is required."
        if len(form["Body"]) > 1600:
            return "The message body exceeds the 1600 character limit."
        return None

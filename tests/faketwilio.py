"""A local stand-in for api.twilio.com that the official twilio client talks to over HTTP.

It checks what it receives the way Twilio would (Basic auth with the account SID and token, the
account in the path, required form fields, E.164 numbers, body length) and records every accepted
message. Tests can script failures: `fake.fail_next(status=429, code=20429)`.
"""

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Messages\.json$")
CALL_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC\w+)/Calls/(?P<call>CA\w+)\.json$")


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.messages: list[dict] = []
        self.rejected: list[dict] = []
        self.requests: list[dict] = []
        self._failures: list[tuple[int, int, str]] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
                status, payload = fake.handle(self.path, self.headers.get("Authorization", ""), form)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakeTwilio":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *, status: int, code: int, message: str = "scripted failure", times: int = 1) -> None:
        with self._lock:
            self._failures.extend([(status, code, message)] * times)

    def handle(self, path: str, authorization: str, form: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests.append({"path": path, "form": form})
            expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
            if authorization != expected:
                return 401, {"code": 20003, "message": "Authenticate", "status": 401}
            if CALL_PATH.match(path):
                return 200, {"sid": CALL_PATH.match(path)["call"], "status": "in-progress"}
            match = MESSAGES_PATH.match(path)
            if not match or match["sid"] != self.account_sid:
                return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
            problem = self._validate_message(form)
            if problem:
                self.rejected.append({"form": form, "problem": problem})
                return 400, {"code": 21604 if "To" in problem else 21602, "message": problem, "status": 400}
            if self._failures:
                status, code, message = self._failures.pop(0)
                self.rejected.append({"form": form, "problem": f"scripted {status}/{code}"})
                return status, {"code": code, "message": message, "status": status,
                                "more_info": f"https://www.twilio.com/docs/errors/{code}"}
            sid = "SM" + uuid.uuid4().hex
            message = {"sid": sid, "to": form["To"], "from": form.get("From"), "body": form["Body"],
                       "status_callback": form.get("StatusCallback"), "status": "queued",
                       "account_sid": self.account_sid, "num_segments": "1", "direction": "outbound-api"}
            self.messages.append(message)
            return 201, message

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

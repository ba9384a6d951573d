"""Headers for health data: nothing cached, a strict Content-Security-Policy, a Permissions-Policy;
and production settings refuse to start on the repository's development key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["/patients/", "/patients/{pk}/", "/api/v1/patients/", "/api/v1/patients/{pk}/",
                                  "/inbox/", "/calls/", "/members/"])
def test_pages_with_patient_data_are_never_stored(alice_client, patient, path):
    response = alice_client.get(path.format(pk=patient.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_csv_exports_are_never_stored(owner_client):
    response = owner_client.get("/dashboard/export/routes.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]


def test_content_security_policy_allows_no_inline_script(alice_client):
    response = alice_client.get("/patients/")
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["style-src"] and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"] and "microphone=()" in response["Permissions-Policy"]


def test_templates_have_no_inline_script():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in text.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            if "src=" not in opening and "application/json" not in opening:
                offenders.append(str(template.relative_to(ROOT)))
        if " onclick=" in text or " onchange=" in text or " onsubmit=" in text or "hx-on" in text:
            offenders.append(str(template.relative_to(ROOT)))
    assert offenders == []


def _start(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_production_refuses_to_start_without_a_secret_key():
    result = _start({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_starts_with_a_secret_key():
    assert _start({"DEBUG": "false", "SECRET_KEY": "k" * 50}).returncode == 0

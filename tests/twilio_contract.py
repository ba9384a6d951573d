"""Twilio's published OpenAPI contract (API 2010-04-01), checked with jsonschema.

The spec is read from ../shared/twilio/twilio_api_v2010.json (beside the checkout, never copied into
the repository). `Contract.check_request` and `check_response` return a list of problems: an unknown
path or parameter, a missing required field, a value that breaks its schema (type, pattern, enum,
length), or a response body that does not match the documented resource. OpenAPI 3.0's `nullable`
is translated to JSON Schema; custom formats (phone-number, rfc-2822 dates) are not checked.
"""

import json
import re
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator

SPEC_PATH = Path(__file__).resolve().parents[1].parent / "shared" / "twilio" / "twilio_api_v2010.json"
# Twilio's error body (https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions);
# the spec documents success bodies only.
ERROR_SCHEMA = {
    "type": "object", "required": ["code", "message", "more_info", "status"],
    "properties": {"code": {"type": "integer"}, "message": {"type": "string"}, "more_info": {"type": "string"},
                   "status": {"type": "integer"}},
}


def _openapi_to_jsonschema(node):
    if isinstance(node, list):
        return [_openapi_to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _openapi_to_jsonschema(v) for k, v in node.items()
            if k not in ("description", "x-twilio", "examples", "example") and not k.startswith("x-")}
    node.pop("format", None)
    if node.pop("nullable", False):
        if "$ref" in node:
            return {"anyOf": [{"$ref": node["$ref"]}, {"type": "null"}]}
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    return node


class Contract:
    def __init__(self, spec: dict):
        self.components = {"components": {"schemas": _openapi_to_jsonschema(spec["components"]["schemas"])}}
        self.operations = []
        for template, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")
            self.operations.append((pattern, template, item))

    def _validator(self, schema: dict) -> Draft4Validator:
        return Draft4Validator({**self.components, **_openapi_to_jsonschema(schema)})

    def find(self, method: str, path: str):
        path = path.split("?", 1)[0]
        for pattern, template, item in self.operations:
            match = pattern.match(path)
            if match and method.lower() in item:
                return template, item[method.lower()], match.groupdict()
        return None, None, {}

    def check_request(self, method: str, path: str, params: dict) -> list[str]:
        template, op, path_params = self.find(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in Twilio's API"]
        problems = []
        declared = {p["name"]: p for p in op.get("parameters", [])}
        for name, value in path_params.items():
            if name in declared:
                problems += self._check_value(f"path {name}", declared[name]["schema"], value)
        if method.upper() == "GET":
            for name, value in params.items():
                if name not in declared or declared[name]["in"] != "query":
                    problems.append(f"GET {template}: unknown query parameter {name}")
                else:
                    problems += self._check_value(name, declared[name]["schema"], value)
            return problems
        body = (op.get("requestBody") or {}).get("content", {}).get("application/x-www-form-urlencoded", {})
        schema = body.get("schema", {"properties": {}})
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in params:
                problems.append(f"{method} {template}: required field {name} missing")
        for name, value in params.items():
            if name not in properties:
                problems.append(f"{method} {template}: unknown field {name}")
            else:
                problems += self._check_value(name, properties[name], value)
        return problems

    def _check_value(self, name: str, schema: dict, raw: str) -> list[str]:
        value = raw
        kind = schema.get("type")
        try:
            if kind == "integer":
                value = int(raw)
            elif kind == "number":
                value = float(raw)
            elif kind == "boolean":
                if str(raw).lower() not in ("true", "false"):
                    return [f"{name}: {raw!r} is not a boolean"]
                value = str(raw).lower() == "true"
            elif kind == "array":
                value = raw if isinstance(raw, list) else [raw]
        except ValueError:
            return [f"{name}: {raw!r} is not a {kind}"]
        return [f"{name}: {e.message}" for e in self._validator(schema).iter_errors(value)]

    def check_response(self, method: str, path: str, status: int, body) -> list[str]:
        template, op, _ = self.find(method, path)
        if op is None:
            return [f"{method} {path}: no such operation in Twilio's API"]
        if status >= 400:
            schema = ERROR_SCHEMA
        else:
            documented = op.get("responses", {}).get(str(status))
            if documented is None:
                return [f"{method} {template}: status {status} is not a documented answer"]
            schema = documented.get("content", {}).get("application/json", {}).get("schema")
            if schema is None:
                return []
        return [f"{method} {template} -> {status}: {'/'.join(map(str, e.path))}: {e.message}"
                for e in self._validator(schema).iter_errors(body)]


@cache
def twilio_contract() -> Contract:
    return Contract(json.loads(SPEC_PATH.read_text()))

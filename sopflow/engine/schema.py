"""Check a flow document against the format's JSON Schema, and say what is wrong in plain words.

jsonschema finds the problems; this module turns each into a message code with the path, so that
the loader can place it on a line and a user can fix it without reading JSON Schema.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sopflow.engine.yamlsource import Path

WAYS_OUT = ("actions", "branches", "timers", "checks", "next", "outcomes")


@cache
def flow_schema() -> dict[str, Any]:
    """The JSON Schema of the flow format (shipped as sopflow/flows/flow.schema.json)."""
    text = resources.files("sopflow.flows").joinpath("flow.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(flow_schema())


class SchemaFinding:
    """One schema problem: a message code, where, whether it points at a key, and its values."""

    __slots__ = ("code", "on_key", "params", "path")

    def __init__(self, code: str, path: Path, *, on_key: bool = False, **params: object) -> None:
        self.code = code
        self.path = path
        self.on_key = on_key
        self.params = params


def schema_findings(document: Any) -> list[SchemaFinding]:
    """Every way `document` breaks the schema, most specific first, without duplicates."""
    findings: list[SchemaFinding] = []
    seen: set[tuple[str, Path]] = set()
    for error in _validator().iter_errors(document):
        for finding in _explain(error):
            key = (finding.code, finding.path)
            if key not in seen:
                seen.add(key)
                findings.append(finding)
    return findings


def _explain(error: ValidationError) -> Iterator[SchemaFinding]:
    """Translate one (possibly composite) jsonschema error into findings."""
    if error.validator in ("allOf", "anyOf", "oneOf") and error.context:
        if error.validator == "anyOf" and _is_text_schema(error.schema):
            yield SchemaFinding("schema.text", tuple(error.absolute_path))
            return
        for sub in error.context:
            yield from _explain(sub)
        return
    path: Path = tuple(error.absolute_path)
    validator = error.validator
    if validator == "additionalProperties":
        yield from _unknown_keys(error, path)
    elif validator == "required":
        missing = _missing_key(error)
        yield SchemaFinding("schema.missing_key", path, key=missing, where=_where(path))
    elif validator == "type":
        yield SchemaFinding(
            "schema.type", path, expected_type=_type_codes(error.validator_value),
            actual_type=_json_type(error.instance),
        )
    elif validator == "enum":
        options = [str(v) for v in error.validator_value]
        yield SchemaFinding(
            "schema.enum", path, value=error.instance, options=", ".join(options),
            suggestion=_suggest(str(error.instance), options),
        )
    elif validator == "const":
        yield SchemaFinding("schema.const", path, expected=error.validator_value, value=error.instance)
    elif validator == "pattern":
        yield _pattern_finding(error, path)
    elif validator == "propertyNames":
        yield SchemaFinding("schema.bad_id", path, on_key=True, value=error.instance)
    elif validator in ("minProperties", "minItems", "minLength"):
        yield SchemaFinding("schema.empty", path)
    elif validator == "uniqueItems":
        yield SchemaFinding("schema.repeated", path)
    else:
        yield SchemaFinding("schema.other", path, detail=error.message)


def _unknown_keys(error: ValidationError, path: Path) -> Iterator[SchemaFinding]:
    allowed = list(error.schema.get("properties", {}))
    instance = error.instance if isinstance(error.instance, dict) else {}
    kind = instance.get("kind")
    for key in instance:
        if key in allowed:
            continue
        if kind == "end" and key in WAYS_OUT:
            yield SchemaFinding("end.way_out", (*path, key), on_key=True, key=key)
        elif isinstance(kind, str) and key in _keys_of_other_kinds():
            yield SchemaFinding("schema.key_for_other_kind", (*path, key), on_key=True, key=key, kind=kind)
        else:
            yield SchemaFinding(
                "schema.unknown_key", (*path, key), on_key=True, key=key, where=_where(path),
                suggestion=_suggest(key, allowed), allowed=", ".join(allowed),
            )


def _keys_of_other_kinds() -> frozenset[str]:
    defs = flow_schema()["$defs"]
    names = ("task_step", "decision_step", "wait_step", "subflow_step", "end_step")
    return frozenset(k for n in names for k in defs[n]["properties"])


def _missing_key(error: ValidationError) -> str:
    required = error.validator_value
    instance = error.instance if isinstance(error.instance, dict) else {}
    return next((k for k in required if k not in instance), str(required))


def _pattern_finding(error: ValidationError, path: Path) -> SchemaFinding:
    pattern = str(error.validator_value)
    if pattern.startswith("^[a-z][a-z0-9_]"):
        return SchemaFinding("schema.bad_id", path, value=error.instance)
    if "(A|K|I" in pattern:
        return SchemaFinding("schema.bad_source", path, value=error.instance)
    return SchemaFinding("schema.bad_language", path, value=error.instance)


def _is_text_schema(schema: dict[str, Any]) -> bool:
    options = schema.get("anyOf", [])
    return any(o.get("type") == "string" for o in options) and any(
        o.get("type") == "object" for o in options
    )


def _where(path: Path) -> str:
    from sopflow.engine.yamlsource import describe

    return describe(path)


def _type_codes(expected: object) -> tuple[str, ...]:
    """JSON type names; the message catalogue puts them into words in the reader's language."""
    if isinstance(expected, list):
        return tuple(str(e) for e in expected if e != "integer" or "number" not in expected)
    return (str(expected),)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "other"


def _suggest(word: str, candidates: list[str]) -> str:
    matches = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else ""

"""Check a flow document against the format's JSON Schema, and say what is wrong in plain words.

jsonschema finds the problems; this module turns each into a message code with the path, so that
the loader can place it on a line and a user can fix it without reading JSON Schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sopflow.language.names import suggest
from sopflow.language.yamlsource import Path, describe

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

    def __init__(self, code: str, path: Path, *, on_key: bool = False, **params: Any) -> None:
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
    return _without_missing_keys_explained_by_typos(findings)


def _without_missing_keys_explained_by_typos(findings: list[SchemaFinding]) -> list[SchemaFinding]:
    """`titel:` is both an unknown key and a missing `title:`; say it once, as the typo."""
    typos = {
        (f.path[:-1], f.params.get("suggestion"))
        for f in findings
        if f.code == "schema.unknown_key" and f.params.get("suggestion")
    }
    return [
        f for f in findings if not (f.code == "schema.missing_key" and (f.path, f.params.get("key")) in typos)
    ]


def _explain(error: ValidationError) -> Iterator[SchemaFinding]:
    """Translate one (possibly composite) jsonschema error into findings."""
    if error.validator in ("allOf", "anyOf", "oneOf") and error.context:
        if error.validator == "anyOf" and _is_text_schema(_schema_of(error)):
            code = "schema.empty_text" if error.instance == "" else "schema.text"
            yield SchemaFinding(code, tuple(error.absolute_path))
            return
        for sub in error.context:
            yield from _explain(sub)
        return
    yield from _explain_leaf(error, tuple(error.absolute_path))


def _explain_leaf(error: ValidationError, path: Path) -> Iterator[SchemaFinding]:
    validator = error.validator
    if "propertyNames" in error.absolute_schema_path:
        # the error is about a key: point at that key, not at the mapping holding it
        yield SchemaFinding("schema.bad_id", (*path, str(error.instance)), on_key=True, value=error.instance)
        return
    if validator == "additionalProperties":
        yield from _unknown_keys(error, path)
    elif validator == "required":
        missing = _missing_key(error)
        yield SchemaFinding("schema.missing_key", path, key=missing, where=_where(path))
    elif validator == "type":
        expected = _type_codes(error.validator_value)
        specific: dict[tuple[str, ...], str] = {
            ("string",): "schema.type_text",
            ("array",): "schema.type_list",
        }
        code = specific.get(expected, "schema.type")
        yield SchemaFinding(code, path, expected_type=expected, actual_type=_json_type(error.instance))
    elif validator == "enum":
        options = [str(v) for v in _listed(error.validator_value)]
        yield SchemaFinding(
            "schema.enum",
            path,
            value=error.instance,
            options=", ".join(options),
            suggestion=suggest(str(error.instance), options),
        )
    elif validator == "pattern":
        yield _pattern_finding(error, path)
    else:
        yield _simple_finding(error, path)


def _simple_finding(error: ValidationError, path: Path) -> SchemaFinding:
    validator = error.validator
    if validator == "const":
        return SchemaFinding("schema.const", path, expected=error.validator_value, value=error.instance)
    if validator == "propertyNames":
        return SchemaFinding("schema.bad_id", path, on_key=True, value=error.instance)
    if validator == "minLength":
        return SchemaFinding("schema.empty_text", path)
    if validator in ("minProperties", "minItems"):
        return SchemaFinding("schema.empty", path)
    if validator == "uniqueItems":
        return SchemaFinding("schema.repeated", path)
    return SchemaFinding("schema.other", path, detail=error.message)


def _unknown_keys(error: ValidationError, path: Path) -> Iterator[SchemaFinding]:
    allowed = list(_schema_of(error).get("properties", {}))
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
                "schema.unknown_key",
                (*path, key),
                on_key=True,
                key=key,
                where=_where(path),
                suggestion=suggest(key, allowed),
                allowed=", ".join(allowed),
            )


def _schema_of(error: ValidationError) -> dict[str, Any]:
    return error.schema if isinstance(error.schema, dict) else {}


def _listed(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _keys_of_other_kinds() -> frozenset[str]:
    defs = flow_schema()["$defs"]
    names = ("task_step", "decision_step", "wait_step", "subflow_step", "end_step")
    return frozenset(k for n in names for k in defs[n]["properties"])


def _missing_key(error: ValidationError) -> str:
    required = _listed(error.validator_value)
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
    return any(o.get("type") == "string" for o in options) and any(o.get("type") == "object" for o in options)


def _where(path: Path) -> str:
    return describe(path)


def _type_codes(expected: object) -> tuple[str, ...]:
    """JSON type names; the message catalogue puts them into words in the reader's language."""
    if isinstance(expected, list):
        return tuple(str(e) for e in expected if e != "integer" or "number" not in expected)
    return (str(expected),)


_JSON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "boolean"),
    ((int, float), "number"),
    (str, "string"),
    (dict, "object"),
    (list, "array"),
)


def _json_type(value: object) -> str:
    """The JSON type name of a value; bool is tested before int because bool is an int."""
    return next((name for kinds, name in _JSON_TYPES if isinstance(value, kinds)), "other")

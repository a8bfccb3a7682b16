"""Why the engine refuses, in the reader's words: the CaseErrors of stepping a case, naming steps,
actions, roles and fields by label and id (`网格员 grid_worker`) and rules in plain words.

A refusal is raised before anyone knows the language it will be read in, so whatever reads
differently by language goes in as a Named, a Listing or an InLanguages with every language the
flow or sopflow speaks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn

from sopflow.cases.privacy import mask_value
from sopflow.cases.records import CANCELLED, MERGED, Case
from sopflow.errors import CaseError
from sopflow.i18n import InLanguages, Listing, listing, say, ui_languages
from sopflow.language.model import Flow
from sopflow.language.naming import FlowNames
from sopflow.language.wording import condition_words, value_words


def languages(flow: Flow) -> tuple[str, ...]:
    """Every language a message about this flow may be read in."""
    return tuple(dict.fromkeys((*ui_languages(), *flow.languages)))


def rules_in_words(flow: Flow, rules: Sequence[str]) -> InLanguages:
    """Guard rules as a reader says them (体温 ≥ 发热体温线（37.3） 或 有症状), joined with ';'."""
    return InLanguages(
        {lang: "; ".join(condition_words(flow, r, lang) for r in rules) for lang in languages(flow)}
    )


def fields_listed(names: FlowNames, fields: Iterable[str]) -> Listing:
    return names.fields.listing(fields)


def no_such_action(
    names: FlowNames, case: Case, typed: str, available: Sequence[str], known: Sequence[str]
) -> NoReturn:
    """`typed` is no action or check of the case's step: say where it is, what can be done."""
    at = names.actions_at(case.step)
    raise CaseError(
        "case.no_such_action",
        case=case.id,
        action=typed,
        step=names.steps.named(case.step),
        available=at.listing(available),
        suggestion=at.suggestion(typed, known),
    )


def wrong_role(names: FlowNames, case: Case, action: str, roles: Sequence[str], role: str | None) -> NoReturn:
    """No role, or a role that may not do `action`: the roles that may, label and id."""
    allowed = names.roles.listing(roles)
    what = names.actions_at(case.step).named(action)
    if role is None:
        raise CaseError("case.no_role", case=case.id, action=what, roles=allowed)
    suggestion = names.roles.suggestion(role, roles) if role not in names.roles else ""
    raise CaseError(
        "case.role_not_allowed",
        case=case.id,
        action=what,
        role=names.roles.named(role) if role in names.roles else role,
        roles=allowed,
        suggestion=suggestion,
    )


def may_not_open(names: FlowNames, case_id: str, role: str | None) -> NoReturn:
    """A role the flow does not let open its cases (`opened_by`), or none given."""
    allowed = names.roles.listing(names.flow.opened_by)
    if role is None:
        raise CaseError("case.no_role_to_open", case=case_id, flow=names.flow.id, roles=allowed)
    raise CaseError(
        "case.may_not_open", case=case_id, flow=names.flow.id, role=names.roles.named(role), roles=allowed
    )


def check_entry_worker(names: FlowNames, case_id: str, role: str, at_step: str) -> None:
    """CaseError if `role` starts a case at an entry step (other than the first) it does not
    work; a step that is no entry step is refused later, naming the entry steps."""
    flow = names.flow
    step_id = names.steps.id_of(at_step, refuse=CaseError)
    entry = step_id in flow.entry_steps and step_id != flow.start
    if entry and role not in step_workers(flow, step_id):
        may_not_start_at(names, case_id, role, step_id)


def may_not_start_at(names: FlowNames, case_id: str, role: str, step_id: str) -> NoReturn:
    """A role that may open the flow's cases, starting one at an entry step it does not work;
    the error names those who may start there (who work the step and may open cases)."""
    starters = [r for r in step_workers(names.flow, step_id) if r in names.flow.opened_by]
    raise CaseError(
        "case.may_not_start_at",
        case=case_id,
        role=names.roles.named(role),
        step=names.steps.named(step_id),
        roles=names.roles.listing(starters or step_workers(names.flow, step_id)),
    )


def step_workers(flow: Flow, step_id: str) -> tuple[str, ...]:
    """The roles that work a step: its own, and those of its actions."""
    step = flow.steps[step_id]
    return tuple(dict.fromkeys((step.role, *(r for a in step.actions for r in a.roles))))


def missing_data(
    names: FlowNames, case: Case, action: str, missing: Sequence[str], held: Mapping[str, Any]
) -> NoReturn:
    """Data an action needs and did not get; what the case holds already (and need not be given
    again) is said too, masked as lists mask it."""
    flow = names.flow
    example = {
        lang: _typeable(flow.text(flow.fields[missing[0]].label, lang), missing[0])
        for lang in languages(flow)
    }
    raise CaseError(
        "case.missing_data",
        case=case.id,
        action=names.actions_at(case.step).named(action),
        fields=fields_listed(names, missing),
        example=InLanguages(example),
        held=held_words(flow, held),
    )


def held_words(flow: Flow, held: Mapping[str, Any]) -> InLanguages:
    """'（已有：姓名=张*，不必再填）' for the values an action takes from the case; '' if none."""
    texts = {}
    for lang in languages(flow):
        values = say("list.sep", lang).join(
            f"{flow.text(flow.fields[name].label, lang) or name}="
            f"{value_words(flow.fields[name], mask_value(flow.fields[name], value), lang)}"
            for name, value in held.items()
        )
        texts[lang] = say("held.note", lang, values=values) if held else ""
    return InLanguages(texts)


def _typeable(label: str, field_id: str) -> str:
    """What an example tells the user to type for a field: its label, unless it has spaces (it
    would need quotes on a command line), then its id."""
    return label if label and not any(c.isspace() for c in label) else field_id


def guard_false(
    names: FlowNames, case: Case, action: str, rules: Sequence[str], available: Listing
) -> NoReturn:
    raise CaseError(
        "case.guard_false",
        case=case.id,
        action=names.actions_at(case.step).named(action),
        guard=rules_in_words(names.flow, rules),
        available=available,
    )


def ended(names: FlowNames, case: Case) -> NoReturn:
    """The case has ended: say how, by the outcome's name (sopflow's own for a case cancelled
    or merged away)."""
    outcome: Any = "-"
    if case.outcome in (CANCELLED, MERGED) and case.outcome not in names.outcomes:
        outcome = InLanguages({lang: say(f"outcome.{case.outcome}", lang) for lang in languages(names.flow)})
    elif case.outcome:
        outcome = names.outcomes.named(case.outcome)
    raise CaseError("case.ended", case=case.id, outcome=outcome)


def unknown_role(names: FlowNames, case_id: str, role: str) -> NoReturn:
    raise CaseError(
        "case.unknown_role",
        case=case_id,
        role=role,
        roles=names.roles.listing(),
        suggestion=names.roles.suggestion(role),
    )


def listed(items: Iterable[Any]) -> Listing:
    return listing(items)


def start_step(names: FlowNames, case_id: str, values: Mapping[str, Any], at_step: str | None) -> str:
    """The step a new case starts at (`at_step`, by id or label, or the flow's start step), once
    it is an entry step and `values` hold what starting there needs; CaseError otherwise."""
    flow = names.flow
    step = flow.start if at_step is None else names.steps.id_of(at_step, refuse=CaseError)
    if step not in flow.entry_steps:
        shown = names.steps.named(step) if step in flow.steps else step
        raise CaseError(
            "case.not_entry",
            case=case_id,
            step=shown,
            flow=flow.id,
            steps=names.steps.listing(flow.entry_steps),
        )
    needed = [f.id for f in flow.fields.values() if f.required] + list(flow.entry_requires(step))
    missing = [name for name in dict.fromkeys(needed) if name not in values]
    if missing:
        raise CaseError(
            "case.missing_required", case=case_id, fields=names.fields.listing(missing), flow=flow.id
        )
    return step

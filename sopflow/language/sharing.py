"""Shared cases (issue 11, C4): the load checks of `one_per:` and `leave:`.

A subflow step with `one_per: household` starts its child flow only if no case of that flow is
open for the same household; otherwise the case joins that one as a member (engine/sharing.py).
A member leaves when its case ends or fires an action marked `leave: [flow]`; the shared case
is then told by its action `member_left`, with `members_in` (how many members are still in).
"""

from __future__ import annotations

from sopflow.language.model import FieldType, Flow, Step
from sopflow.language.problems import ProblemSink

MEMBER_LEFT = "member_left"  # the action of the shared flow that a member's leaving fires
MEMBERS_IN = "members_in"  # the integer field it sets: how many members are still in


def shared_checks(flow: Flow, step: Step, child: Flow, sink: ProblemSink) -> None:
    """The child identifies the kind named by `one_per`, by a field this flow has and copies;
    it does not wait (each member goes on); the child answers a member's leaving."""
    path = ("steps", step.id)
    kind = step.one_per or ""
    if step.wait:
        sink.add("subflow.one_per_wait", (*path, "one_per"), flow=child.id)
    field = child.identities.get(kind)
    if field is None:
        sink.add("subflow.one_per_no_identity", (*path, "one_per"), flow=child.id, kind=kind)
    elif field not in step.copy or flow.identities.get(kind) != field:
        sink.add("subflow.one_per_not_copied", (*path, "one_per"), flow=child.id, kind=kind, field=field)
    counted = child.fields.get(MEMBERS_IN)
    told = [a for s in child.steps.values() for a in s.actions if a.name == MEMBER_LEFT]
    if (
        not told
        or any(MEMBERS_IN not in a.requires for a in told)
        or counted is None
        or counted.type is not FieldType.INTEGER
    ):
        sink.add(
            "subflow.one_per_no_leave",
            (*path, "one_per"),
            flow=child.id,
            action=MEMBER_LEFT,
            field=MEMBERS_IN,
        )

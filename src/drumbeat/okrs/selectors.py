"""Reads of cycles, objectives and key results, with stored scores."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from drumbeat.core.scoring import grade
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective


def cycle_objectives(cycle: Cycle) -> QuerySet[Objective]:
    """A cycle's objectives with their team, KRs and check-ins (constant queries)."""
    return (
        Objective.objects.filter(cycle=cycle)
        .select_related("team", "parent")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.prefetch_related(
                    Prefetch("checkins", queryset=CheckIn.objects.order_by("at", "pk"))
                ),
            )
        )
    )


def grade_of(score: float | None) -> str | None:
    found = grade(score)
    return str(found) if found else None


@dataclass
class AlignmentNode:
    """An objective in the alignment tree, with the team objectives under it."""

    objective: Objective
    children: list[AlignmentNode] = field(default_factory=list)


def alignment_tree(objectives: list[Objective]) -> list[AlignmentNode]:
    """Company objectives at the roots, each team objective under its parent."""
    nodes = {o.pk: AlignmentNode(o) for o in objectives}
    roots = []
    for objective in objectives:
        parent = nodes.get(objective.parent_id) if objective.parent_id else None
        if parent is None:
            roots.append(nodes[objective.pk])
        else:
            parent.children.append(nodes[objective.pk])
    return roots

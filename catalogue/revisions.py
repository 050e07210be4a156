"""How proposed changes read, on the owner's pages and in the curator's review: each field's
label, what the innovation says now and what its owner proposes (catalogue.services keeps and
decides them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogue.choices import CostBand, InnovationKind, OrganisationKind, ScalingWay, Stage
from catalogue.models import INNOVATION_EDITABLE, Innovation, InnovationRevision
from catalogue.services import as_json, current_value

# Fields whose stored value is a slug of a fixed vocabulary, shown by its label.
_LABELS: dict[str, dict[str, str]] = {
    "stage": dict(Stage.choices),
    "kind": dict(InnovationKind.choices),
    "cost_band": dict(CostBand.choices),
    "scaling_ways": dict(ScalingWay.choices),
}
NOTHING = "Nothing"


@dataclass(frozen=True)
class Change:
    """One field of a proposal: its label, what the innovation says now, what is proposed."""

    name: str
    label: str
    now: str
    proposed: str


def shown(name: str, value: Any) -> str:
    """A field's value as kept in a proposal (JSON), as a person reads it."""
    if value in (None, "", []):
        return NOTHING
    if name == "lead_organisation":
        if "slug" in value:
            return str(value["name"])
        kind = dict(OrganisationKind.choices).get(value.get("kind", ""), "")
        return f"{value['name']} (new to the catalogue{', ' + kind.lower() if kind else ''})"
    if isinstance(value, list):
        labels = _LABELS.get(name, {})
        return ", ".join(
            item["name"] if isinstance(item, dict) else labels.get(item, str(item))
            for item in value
        )
    return _LABELS.get(name, {}).get(str(value), str(value))


def label(name: str) -> str:
    verbose = str(getattr(Innovation._meta.get_field(name), "verbose_name", name))
    return verbose[:1].upper() + verbose[1:]


def changes(revision: InnovationRevision, *, compared: bool = True) -> list[Change]:
    """The proposal's fields in the order of the entry, each with what the innovation says
    now (when `compared`: it reads the innovation's relations) and what is proposed."""
    innovation = revision.innovation
    return [
        Change(
            name=name,
            label=label(name),
            now=shown(name, as_json(name, current_value(innovation, name))) if compared else "",
            proposed=shown(name, revision.changes[name]),
        )
        for name in INNOVATION_EDITABLE
        if name in revision.changes
    ]

"""The catalogue's rules: who edits an innovation, adding and editing one, moving it through
moderation, and naming organisations.

The submission form, the API, the admin, the importer and commands call these; none
re-implements them. Refusals are exceptions: ModerationError for a move that is not allowed,
PermissionDenied for someone who may not do this at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogue.choices import ModerationStatus
from catalogue.models import INNOVATION_RELATIONS, Innovation, Organisation, Region
from catalogue.signals import innovation_published
from kernel.audit import audited
from kernel.text import unique_slug

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# What the audit history says of each moderation move, by the status it leads to. `by` on the
# moves below names who made it when no request does (the admin and the API have one).
MOVE_REASONS: dict[str, str] = {
    ModerationStatus.DRAFT: "Returned to draft",
    ModerationStatus.SUBMITTED: "Submitted for review",
    ModerationStatus.PUBLISHED: "Published",
    ModerationStatus.ARCHIVED: "Archived",
}

# Which moderation moves are allowed, from each status.
ALLOWED_MOVES: dict[str, set[str]] = {
    ModerationStatus.DRAFT: {ModerationStatus.SUBMITTED, ModerationStatus.PUBLISHED},
    ModerationStatus.SUBMITTED: {
        ModerationStatus.DRAFT,
        ModerationStatus.PUBLISHED,
        ModerationStatus.ARCHIVED,
    },
    ModerationStatus.PUBLISHED: {ModerationStatus.ARCHIVED, ModerationStatus.DRAFT},
    ModerationStatus.ARCHIVED: {ModerationStatus.PUBLISHED, ModerationStatus.DRAFT},
}

# Where a new innovation may start: a draft, or sent straight to the curators for review.
NEW_STATUSES = (ModerationStatus.DRAFT, ModerationStatus.SUBMITTED)


class ModerationError(Exception):
    """A moderation move that is not allowed from the innovation's current status."""


# -- Who edits an innovation ------------------------------------------------------------------


def can_edit(user: User | AnonymousUser, innovation: Innovation) -> bool:
    """Its owners and the curators edit an innovation (Innovation.objects.editable_by lists
    every innovation one person may edit)."""
    if not user.is_authenticated:
        return False
    return user.is_staff or Innovation.objects.editable_by(user).filter(pk=innovation.pk).exists()


# -- Naming organisations ---------------------------------------------------------------------


def organisation_named(name: str) -> Organisation | None:
    """The organisation in the catalogue with this name, whatever its case and spacing (the
    database keeps names unique so): people name an organisation rather than pick it."""
    return Organisation.objects.filter(name__iexact=" ".join(name.split())).first()


def add_organisation(
    name: str, *, kind: str, region: Region | None = None, source: str = ""
) -> Organisation:
    """The organisation of this name: a new one of `kind`, unless someone added the same name
    a moment ago, when it is theirs."""
    name = " ".join(name.split())
    try:
        with transaction.atomic():
            return Organisation.objects.create(
                name=name,
                slug=unique_slug(Organisation, name, max_length=220),
                kind=kind,
                region=region,
                source=source,
            )
    except IntegrityError:
        return Organisation.objects.get(name__iexact=name)


@dataclass(frozen=True)
class NamedOrganisation:
    """An organisation as people give it, by name: the catalogue's own when the name is in it
    (in any case), otherwise a new one of `kind` (which the form or the API asked for)."""

    name: str
    kind: str = ""
    source: str = ""


def organisation_for(
    given: Organisation | NamedOrganisation, *, region: Region | None = None
) -> Organisation:
    """The organisation given, or the one a name names (added, in `region`, when new)."""
    if isinstance(given, Organisation):
        return given
    return organisation_named(given.name) or add_organisation(
        given.name, kind=given.kind, region=region, source=given.source
    )


# -- Adding and editing an innovation ---------------------------------------------------------


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The innovation's own columns and its relations (INNOVATION_RELATIONS) among `values`,
    a lead organisation only named resolved to the catalogue's own (or a new one)."""
    columns = {name: value for name, value in values.items() if name not in INNOVATION_RELATIONS}
    relations = {name: value for name, value in values.items() if name in INNOVATION_RELATIONS}
    if columns.get("lead_organisation") is not None:
        columns["lead_organisation"] = organisation_for(columns["lead_organisation"])
    return columns, relations


@transaction.atomic
def create_innovation(
    values: dict[str, Any], *, by: User, status: str = ModerationStatus.DRAFT
) -> Innovation:
    """A new innovation described by `values` (fields of INNOVATION_EDITABLE: relations as
    lists, the lead organisation perhaps only a NamedOrganisation), owned by whoever adds it:
    a draft, or submitted for review. Nothing of it is public until a curator publishes it."""
    if not by.is_authenticated:
        raise PermissionDenied("Sign in to add an innovation.")
    if status not in NEW_STATUSES:
        raise ModerationError("A new innovation starts as a draft (or submitted for review).")
    columns, relations = _split(values)
    innovation = Innovation(**columns, status=ModerationStatus.DRAFT)
    innovation.slug = unique_slug(Innovation, innovation.title, max_length=220)
    innovation.save()
    for name, related in relations.items():
        getattr(innovation, name).set(related)
    innovation.owners.add(by)
    if status == ModerationStatus.SUBMITTED:
        submit(innovation, by=by)
    return innovation


@transaction.atomic
def edit_innovation(
    innovation: Innovation, changes: dict[str, Any], *, by: User, status: str | None = None
) -> Innovation:
    """Write what its owner or a curator changed (fields of INNOVATION_EDITABLE), then move it
    to `status` as they may (`move`).

    Only the fields given are written: a curator's move made meanwhile (an archive, say) is
    not undone by an owner's edit of the summary. Relations given replace the old ones.
    """
    if not can_edit(by, innovation):
        raise PermissionDenied("Only the innovation's owners and curators edit it.")
    columns, relations = _split(changes)
    for name, value in columns.items():
        setattr(innovation, name, value)
    if columns:
        innovation.save(update_fields=[*columns, "updated_at"])
    for name, related in relations.items():
        getattr(innovation, name).set(related)
    if status is not None:
        move(innovation, status, by=by)
    return innovation


# -- Moderation -------------------------------------------------------------------------------


def _move(innovation: Innovation, to: str) -> Innovation:
    if innovation.status == to:
        return innovation
    if to not in ALLOWED_MOVES[innovation.status]:
        raise ModerationError(
            f"“{innovation.title}” is {innovation.get_status_display().lower()} "
            f"and cannot be moved to {ModerationStatus(to).label.lower()}."
        )
    innovation.status = to
    return innovation


def _save(innovation: Innovation, fields: list[str], *, by: User | None) -> None:
    """Save a moderation move, its audit history row saying which move it was and by whom."""
    with audited(innovation, reason=MOVE_REASONS[innovation.status], by=by):
        innovation.save(update_fields=[*fields, "updated_at"])


# What follows an innovation's arrival at each status (set on it already): its dates, the save
# with its reason in the audit history, and the signal publication sends.


def _now_submitted(innovation: Innovation, by: User | None) -> Innovation:
    innovation.submitted_at = timezone.now()
    _save(innovation, ["status", "submitted_at"], by=by)
    return innovation


def _now_published(innovation: Innovation, by: User | None) -> Innovation:
    if innovation.published_at is None:
        innovation.published_at = timezone.now()
    _save(innovation, ["status", "published_at"], by=by)
    innovation_published.send(sender=Innovation, innovation=innovation, by=by)
    return innovation


def _now_there(innovation: Innovation, by: User | None) -> Innovation:
    _save(innovation, ["status"], by=by)
    return innovation


ARRIVALS: dict[str, Callable[[Innovation, User | None], Innovation]] = {
    ModerationStatus.DRAFT: _now_there,
    ModerationStatus.SUBMITTED: _now_submitted,
    ModerationStatus.PUBLISHED: _now_published,
    ModerationStatus.ARCHIVED: _now_there,
}


@transaction.atomic
def submit(innovation: Innovation, *, by: User | None = None) -> Innovation:
    """An innovator sends a draft to the curators for review."""
    _move(innovation, ModerationStatus.SUBMITTED)
    return _now_submitted(innovation, by)


@transaction.atomic
def publish(innovation: Innovation, *, by: User | None = None) -> Innovation:
    """A curator makes an innovation public; the apps that follow publication hear of it
    (its learning network is created with it: networks/receivers.py)."""
    _move(innovation, ModerationStatus.PUBLISHED)
    return _now_published(innovation, by)


@transaction.atomic
def archive(innovation: Innovation, *, by: User | None = None) -> Innovation:
    """A curator withdraws an innovation from public view, keeping everything recorded on it."""
    _move(innovation, ModerationStatus.ARCHIVED)
    return _now_there(innovation, by)


@transaction.atomic
def return_to_draft(innovation: Innovation, *, by: User | None = None) -> Innovation:
    """Back to its owners for more work (a curator, or an innovator withdrawing a submission)."""
    _move(innovation, ModerationStatus.DRAFT)
    return _now_there(innovation, by)


MOVES: dict[str, Callable[..., Innovation]] = {
    ModerationStatus.DRAFT: return_to_draft,
    ModerationStatus.SUBMITTED: submit,
    ModerationStatus.PUBLISHED: publish,
    ModerationStatus.ARCHIVED: archive,
}

# Owners may send a draft for review and take a submission back; curators make every other move.
OWNER_MOVES = {ModerationStatus.DRAFT, ModerationStatus.SUBMITTED}


def move(innovation: Innovation, to: str, *, by: User) -> Innovation:
    """Change an innovation's moderation status, as `by` is allowed to."""
    if innovation.status == to:
        return innovation
    if not by.is_staff and not (innovation.status in OWNER_MOVES and to in OWNER_MOVES):
        raise ModerationError(
            f"Only curators can move an innovation that is "
            f"{innovation.get_status_display().lower()} to {ModerationStatus(to).label.lower()}."
        )
    return MOVES[to](innovation, by=by)


@transaction.atomic
def set_status(innovation: Innovation, status: str, *, by: User | None = None) -> Innovation:
    """Put an innovation where the curators' catalogue file says it stands, whatever its status
    now (a file may skip moves: an entry may arrive archived). What follows each status follows
    as for its move: submission and publication dates, and the publication signal. An
    innovation there already is left alone."""
    if innovation.status == status:
        return innovation
    innovation.status = status
    return ARRIVALS[status](innovation, by)

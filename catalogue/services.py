"""The catalogue's rules: moving innovations through moderation.

Views, the API, admin actions and commands call these; none re-implements them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogue.choices import ModerationStatus
from catalogue.models import Innovation, Organisation, Region
from catalogue.signals import innovation_published
from kernel.audit import audited
from kernel.text import unique_slug

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from catalogue.forms import SubmissionForm

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


class ModerationError(Exception):
    """A moderation move that is not allowed from the innovation's current status."""


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


def _save(innovation: Innovation, fields: list[str], *, by: User | AnonymousUser | None) -> None:
    """Save a moderation move, its audit history row saying which move it was and by whom."""
    with audited(innovation, reason=MOVE_REASONS[innovation.status], by=by):
        innovation.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def submit(innovation: Innovation, *, by: User | AnonymousUser | None = None) -> Innovation:
    """An innovator sends a draft to the curators for review."""
    _move(innovation, ModerationStatus.SUBMITTED)
    innovation.submitted_at = timezone.now()
    _save(innovation, ["status", "submitted_at"], by=by)
    return innovation


@transaction.atomic
def publish(innovation: Innovation, *, by: User | AnonymousUser | None = None) -> Innovation:
    """A curator makes an innovation public; the apps that follow publication hear of it
    (its learning network is created with it: networks/receivers.py)."""
    _move(innovation, ModerationStatus.PUBLISHED)
    if innovation.published_at is None:
        innovation.published_at = timezone.now()
    _save(innovation, ["status", "published_at"], by=by)
    innovation_published.send(sender=Innovation, innovation=innovation, by=by)
    return innovation


@transaction.atomic
def archive(innovation: Innovation, *, by: User | AnonymousUser | None = None) -> Innovation:
    """A curator withdraws an innovation from public view, keeping everything recorded on it."""
    _move(innovation, ModerationStatus.ARCHIVED)
    _save(innovation, ["status"], by=by)
    return innovation


@transaction.atomic
def return_to_draft(
    innovation: Innovation, *, by: User | AnonymousUser | None = None
) -> Innovation:
    """Back to its owners for more work (a curator, or an innovator withdrawing a submission)."""
    _move(innovation, ModerationStatus.DRAFT)
    _save(innovation, ["status"], by=by)
    return innovation


@transaction.atomic
def submit_new(form: SubmissionForm, owner: User) -> Innovation:
    """An innovator's new entry (a valid forms.SubmissionForm), owned by them and sent straight
    to the curators for review; nothing of it is public until a curator publishes it."""
    innovation = form.save(commit=False)
    innovation.lead_organisation = form.organisation()
    innovation.scaling_ways = form.cleaned_data["scaling_ways"]
    innovation.status = ModerationStatus.DRAFT
    innovation.slug = unique_slug(Innovation, innovation.title, max_length=220)
    innovation.save()
    form.save_m2m()
    innovation.owners.add(owner)
    return submit(innovation, by=owner)


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

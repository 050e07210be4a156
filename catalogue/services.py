"""The catalogue's rules: moving innovations through moderation.

Views, the API, admin actions and commands call these; none re-implements them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from catalogue.choices import ModerationStatus
from catalogue.models import Innovation

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


@transaction.atomic
def submit(innovation: Innovation) -> Innovation:
    """An innovator sends a draft to the curators for review."""
    _move(innovation, ModerationStatus.SUBMITTED)
    innovation.submitted_at = timezone.now()
    innovation.save(update_fields=["status", "submitted_at", "updated_at"])
    return innovation


@transaction.atomic
def publish(innovation: Innovation) -> Innovation:
    """A curator makes an innovation public; its learning network is created with it."""
    from networks.services import ensure_innovation_network

    _move(innovation, ModerationStatus.PUBLISHED)
    if innovation.published_at is None:
        innovation.published_at = timezone.now()
    innovation.save(update_fields=["status", "published_at", "updated_at"])
    ensure_innovation_network(innovation)
    return innovation


@transaction.atomic
def archive(innovation: Innovation) -> Innovation:
    """A curator withdraws an innovation from public view, keeping everything recorded on it."""
    _move(innovation, ModerationStatus.ARCHIVED)
    innovation.save(update_fields=["status", "updated_at"])
    return innovation


@transaction.atomic
def return_to_draft(innovation: Innovation) -> Innovation:
    """Back to its owners for more work (a curator, or an innovator withdrawing a submission)."""
    _move(innovation, ModerationStatus.DRAFT)
    innovation.save(update_fields=["status", "updated_at"])
    return innovation


@transaction.atomic
def submit_new(form, owner) -> Innovation:
    """An innovator's new entry (a valid forms.SubmissionForm), owned by them and sent straight
    to the curators for review; nothing of it is public until a curator publishes it."""
    from catalogue.utils import unique_slug

    innovation = form.save(commit=False)
    innovation.lead_organisation = form.organisation()
    innovation.scaling_ways = form.cleaned_data["scaling_ways"]
    innovation.status = ModerationStatus.DRAFT
    innovation.slug = unique_slug(Innovation, innovation.title, max_length=220)
    innovation.save()
    form.save_m2m()
    innovation.owners.add(owner)
    return submit(innovation)


MOVES = {
    ModerationStatus.DRAFT: return_to_draft,
    ModerationStatus.SUBMITTED: submit,
    ModerationStatus.PUBLISHED: publish,
    ModerationStatus.ARCHIVED: archive,
}

# Owners may send a draft for review and take a submission back; curators make every other move.
OWNER_MOVES = {ModerationStatus.DRAFT, ModerationStatus.SUBMITTED}


def move(innovation: Innovation, to: str, *, by) -> Innovation:
    """Change an innovation's moderation status, as `by` is allowed to."""
    if innovation.status == to:
        return innovation
    if not by.is_staff and not (innovation.status in OWNER_MOVES and to in OWNER_MOVES):
        raise ModerationError(
            f"Only curators can move an innovation that is "
            f"{innovation.get_status_display().lower()} to {ModerationStatus(to).label.lower()}."
        )
    return MOVES[to](innovation)

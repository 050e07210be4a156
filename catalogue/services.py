"""The catalogue's rules: who edits an innovation, adding and editing one, the changes owners
propose for a curator, moving an innovation through moderation, naming organisations, and
telling curators and owners what waits for them.

The submission and edit forms, the API, the admin, the importer and commands call these; none
re-implements them. Refusals are exceptions: ModerationError for a move or decision that is not
allowed, PermissionDenied for someone who may not do this at all, Django's ValidationError
naming the field for a value only curators set or a reason left out.

Emails are queued through kernel.outbox in the change's transaction; `absolute` makes a path
a full address for them (a view passes `request.build_absolute_uri`; without one, commands and
the shell, the links are the site's paths).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from catalogue.choices import REVIEWED_STATUSES, ModerationStatus, RevisionStatus
from catalogue.models import (
    INNOVATION_RELATIONS,
    Innovation,
    InnovationRevision,
    Organisation,
    Region,
)
from catalogue.signals import innovation_published
from kernel import outbox
from kernel.audit import audited
from kernel.text import unique_slug
from kernel.urls import site_absolute

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Absolute = Callable[[str], str]


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

# Facts a curator assesses and only curators set: an owner may send them unchanged (a PUT of
# what a GET gave), never different.
CURATED_FIELDS: dict[str, str] = {
    "evidence_level": "Only curators set the evidence level: they assess the evidence "
    "summary against the standards of evidence.",
}

# The fields that name organisations, which an owner may fill only with organisations they
# have a link to (see `_held_for_curator`).
ORGANISATION_FIELDS = ("lead_organisation", "partners")


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


def plain_name(name: str) -> str:
    """A name as people read it: compatibility forms folded (full-width letters, ligatures:
    NFKC), invisible format characters (zero-width spaces, joiners, direction marks) removed,
    spacing made single. "Department for\u200bEducation" is "Department forEducation", not a
    new department that looks like the real one."""
    folded = unicodedata.normalize("NFKC", name)
    visible = "".join(" " if unicodedata.category(c) == "Cf" else c for c in folded)
    return " ".join(visible.split())


def organisation_named(name: str) -> Organisation | None:
    """The organisation in the catalogue with this name, whatever its case, spacing, and
    look-alike forms (plain_name; the database keeps names unique by case): people name an
    organisation rather than pick it."""
    return Organisation.objects.filter(name__iexact=plain_name(name)).first()


def add_organisation(
    name: str, *, kind: str, region: Region | None = None, source: str = ""
) -> Organisation:
    """The organisation of this name: a new one of `kind`, unless someone added the same name
    a moment ago, when it is theirs. The name is stored as people read it (plain_name)."""
    name = plain_name(name)
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


# -- Who is told ------------------------------------------------------------------------------


def curator_addresses() -> list[str]:
    """Who hears what waits for the curators: CURATOR_EMAILS when set, otherwise every active
    staff account with an email address."""
    if settings.CURATOR_EMAILS:
        return list(settings.CURATOR_EMAILS)
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    return sorted(set(staff.values_list("email", flat=True)), key=str.lower)


def owner_addresses(innovation: Innovation, *, but: User | None = None) -> list[str]:
    """The addresses of the innovation's active owners (but the one named: who acted)."""
    owners = innovation.owners.filter(is_active=True).exclude(email="")
    if but is not None:
        owners = owners.exclude(pk=but.pk)
    return sorted(set(owners.values_list("email", flat=True)), key=str.lower)


def _one_line(text: str) -> str:
    """Text fit for an email's subject: a title typed with a line break must not break it."""
    return " ".join(text.split())


def _send(to: Iterable[str], subject: str, template: str, context: dict[str, Any]) -> None:
    body = render_to_string(
        f"catalogue/email/{template}", {**context, "SITE_NAME": settings.SITE_NAME}
    )
    for address in to:
        outbox.queue(address, _one_line(subject), body)


def _review_link(innovation: Innovation, absolute: Absolute) -> str:
    return absolute(reverse("admin:catalogue_innovation_moderate", args=[innovation.pk]))


# -- Adding and editing an innovation ---------------------------------------------------------


def _split(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The innovation's own columns and its relations (INNOVATION_RELATIONS) among `values`,
    a lead organisation only named resolved to the catalogue's own (or a new one)."""
    columns = {name: value for name, value in values.items() if name not in INNOVATION_RELATIONS}
    relations = {name: value for name, value in values.items() if name in INNOVATION_RELATIONS}
    if columns.get("lead_organisation") is not None:
        columns["lead_organisation"] = organisation_for(columns["lead_organisation"])
    return columns, relations


def _refuse_curated_facts(innovation: Innovation | None, values: dict[str, Any], by: User) -> None:
    """Owners may not set what curators assess (CURATED_FIELDS): a 400 naming the field."""
    if by.is_staff:
        return
    refused = {
        name: message
        for name, message in CURATED_FIELDS.items()
        if name in values
        and values[name] != (getattr(innovation, name) if innovation is not None else None)
    }
    if refused:
        raise ValidationError(refused)


def _organisations_linked(by: User | None, innovation: Innovation | None) -> set[int]:
    """The organisations `by` may name without a curator: those this innovation or another
    innovation they own names already, as lead or partner."""
    scope = Q(owners=by) if by is not None else Q(pk__in=[])
    if innovation is not None and innovation.pk is not None:
        scope |= Q(pk=innovation.pk)
    innovations = Innovation.objects.filter(scope)
    leads = innovations.exclude(lead_organisation=None).values_list("lead_organisation", flat=True)
    partners = Organisation.objects.filter(partner_innovations__in=innovations)
    return set(leads) | set(partners.values_list("pk", flat=True))


def _needs_vetting(value: Any, linked: set[int]) -> bool:
    """Whether a lead organisation (or a list of partners) names an organisation already in
    the catalogue that is not among those `linked`. A new name is no claim on anyone's name."""
    if value is None:
        return False
    if isinstance(value, NamedOrganisation):
        known = organisation_named(value.name)
        return known is not None and known.pk not in linked
    if isinstance(value, Organisation):
        return value.pk not in linked
    return any(partner.pk not in linked for partner in value)


def _held_for_curator(innovation: Innovation | None, values: dict[str, Any], by: User) -> set[str]:
    """Which of an editor's `values` wait for a curator instead of being written.

    Curators' own edits never wait. An owner's every change to an innovation the public sees,
    or saw (REVIEWED_STATUSES), waits. On a draft or a submission (which a curator reviews
    whole before publishing it), only a lead organisation or partners naming an organisation
    already in the catalogue that neither this innovation nor another of the owner's names.
    """
    if by.is_staff or not by.is_authenticated:
        return set()
    if innovation is not None and innovation.status in REVIEWED_STATUSES:
        return {
            name
            for name, value in values.items()
            if not _same(name, as_json(name, value), as_json(name, current_value(innovation, name)))
        }
    naming = [name for name in ORGANISATION_FIELDS if values.get(name)]
    if not naming:
        return set()
    linked = _organisations_linked(by, innovation)
    return {name for name in naming if _needs_vetting(values[name], linked)}


@transaction.atomic
def create_innovation(
    values: dict[str, Any],
    *,
    by: User,
    status: str = ModerationStatus.DRAFT,
    absolute: Absolute = site_absolute,
) -> Innovation:
    """A new innovation described by `values` (fields of INNOVATION_EDITABLE: relations as
    lists, the lead organisation perhaps only a NamedOrganisation), owned by whoever adds it:
    a draft, or submitted for review. Nothing of it is public until a curator publishes it.

    An organisation the owner may not name alone waits for a curator as a proposed revision
    (`_held_for_curator`); the evidence level is the curators' to set."""
    if not by.is_authenticated:
        raise PermissionDenied("Sign in to add an innovation.")
    if status not in NEW_STATUSES:
        raise ModerationError("A new innovation starts as a draft (or submitted for review).")
    _refuse_curated_facts(None, values, by)
    held = _held_for_curator(None, values, by)
    columns, relations = _split({n: v for n, v in values.items() if n not in held})
    innovation = Innovation(**columns, status=ModerationStatus.DRAFT)
    innovation.slug = unique_slug(Innovation, innovation.title, max_length=220)
    innovation.save()
    for name, related in relations.items():
        getattr(innovation, name).set(related)
    innovation.owners.add(by)
    if held:
        propose_revision(innovation, {name: values[name] for name in held}, by=by)
    if status == ModerationStatus.SUBMITTED:
        submit(innovation, by=by, absolute=absolute)
    return innovation


@transaction.atomic
def edit_innovation(
    innovation: Innovation,
    changes: dict[str, Any],
    *,
    by: User,
    status: str | None = None,
    reason: str = "",
    absolute: Absolute = site_absolute,
) -> Innovation:
    """Write what its owner or a curator changed (fields of INNOVATION_EDITABLE), then move it
    to `status` as they may (`move`, with `reason` for the curator's decision).

    Only the fields given are written: a curator's move made meanwhile (an archive, say) is
    not undone by an owner's edit of the summary. Relations given replace the old ones.

    What an owner may not write alone (`_held_for_curator`: every change to a published
    entry, organisations they have no link to) becomes a proposed revision that a curator
    accepts or returns (`propose_revision`); the public sees nothing of it until then. What
    an owner writes directly, or gives as it stands, replaces what they had proposed for the
    same fields.
    """
    if not can_edit(by, innovation):
        raise PermissionDenied("Only the innovation's owners and curators edit it.")
    _refuse_curated_facts(innovation, changes, by)
    held = _held_for_curator(innovation, changes, by)
    if not by.is_staff and innovation.status in REVIEWED_STATUSES:
        direct: dict[str, Any] = {}  # what is not held is what it says already
    else:
        direct = {name: value for name, value in changes.items() if name not in held}
    if changes and not by.is_staff:
        propose_revision(
            innovation,
            {name: changes[name] for name in held},
            by=by,
            absolute=absolute,
            replacing=[name for name in changes if name not in held],
        )
    columns, relations = _split(direct)
    for name, value in columns.items():
        setattr(innovation, name, value)
    if columns:
        innovation.save(update_fields=[*columns, "updated_at"])
    for name, related in relations.items():
        getattr(innovation, name).set(related)
    if status is not None:
        move(innovation, status, by=by, reason=reason, absolute=absolute)
    return innovation


# -- Proposed revisions -----------------------------------------------------------------------
# An owner's changes that wait for a curator, kept as JSON (models.InnovationRevision): what
# they propose stays readable, and comparable with the entry, however the catalogue changes.


def _organisation_as_json(value: Organisation | NamedOrganisation | None) -> dict | None:
    if value is None:
        return None
    if isinstance(value, NamedOrganisation):
        known = organisation_named(value.name)
        if known is None:  # new to the catalogue: added if a curator accepts
            new = {"name": " ".join(value.name.split()), "kind": value.kind}
            return {**new, "source": value.source} if value.source else new
        value = known
    return {"slug": value.slug, "name": value.name}


def as_json(name: str, value: Any) -> Any:
    """A value as services take it (objects, lists of them, a NamedOrganisation) as JSON."""
    if name == "lead_organisation":
        return _organisation_as_json(value)
    if name in INNOVATION_RELATIONS:
        return sorted(
            ({"slug": item.slug, "name": item.name} for item in value), key=lambda i: i["slug"]
        )
    if name == "scaling_ways":
        return sorted(value)
    return value


def current_value(innovation: Innovation, name: str) -> Any:
    value = getattr(innovation, name)
    return value.all() if name in INNOVATION_RELATIONS else value


def _same(name: str, proposed: Any, current: Any) -> bool:
    """Whether a proposed value (as JSON) is what the innovation holds (as JSON)."""
    if name == "lead_organisation" and proposed and current:
        return proposed.get("slug") == current["slug"]
    if name in INNOVATION_RELATIONS:
        return [i["slug"] for i in proposed] == [i["slug"] for i in current]
    return bool(proposed == current)


def _decode(changes: dict[str, Any]) -> dict[str, Any]:
    """A revision's values as edit_innovation takes them (what no longer exists is left out:
    a sector a curator removed meanwhile, say)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "lead_organisation":
            values[name] = _decode_organisation(value)
        elif name in INNOVATION_RELATIONS:
            related = cast("type[Model]", Innovation._meta.get_field(name).related_model)
            slugs = [item["slug"] for item in value]
            values[name] = list(related._default_manager.filter(slug__in=slugs))
        else:
            values[name] = value
    return values


def _decode_organisation(value: dict | None) -> Organisation | NamedOrganisation | None:
    if value is None:
        return None
    if "slug" in value:
        known = Organisation.objects.filter(slug=value["slug"]).first()
        if known is not None:
            return known
    return NamedOrganisation(
        value["name"], kind=value.get("kind", "other"), source=value.get("source", "")
    )


def organisations_to_check(revision: InnovationRevision) -> list[Organisation]:
    """The organisations in the catalogue that a proposal names as lead or partner and that
    neither this innovation nor another of the proposer's names yet: a claim a curator checks
    before accepting it."""
    named = [revision.changes.get("lead_organisation") or {}, *revision.changes.get("partners", [])]
    slugs = [item["slug"] for item in named if "slug" in item]
    if not slugs:
        return []
    linked = _organisations_linked(revision.proposed_by, revision.innovation)
    return [org for org in Organisation.objects.filter(slug__in=slugs) if org.pk not in linked]


def proposed_values(revision: InnovationRevision) -> dict[str, Any]:
    """A revision's values as forms and edit_innovation take them."""
    return _decode(revision.changes)


def pending_revision(innovation: Innovation) -> InnovationRevision | None:
    """The innovation's changes waiting for a curator, if any."""
    return innovation.revisions.pending().first()


def latest_revision(innovation: Innovation) -> InnovationRevision | None:
    """What its owners are shown of their proposals: the one waiting, else the last decided."""
    return pending_revision(innovation) or (
        innovation.revisions.exclude(decided_at=None).order_by("-decided_at").first()
    )


@transaction.atomic
def propose_revision(
    innovation: Innovation,
    changes: dict[str, Any],
    *,
    by: User,
    absolute: Absolute = site_absolute,
    replacing: Sequence[str] = (),
) -> InnovationRevision | None:
    """Keep an owner's `changes` (fields of INNOVATION_EDITABLE, as edit_innovation takes
    them) for a curator to accept or return.

    One revision waits per innovation: a further proposal is merged into it (its values for
    the same fields replace the earlier ones) and its version goes up; values that are what
    the innovation says already are dropped, and `replacing` names fields the owner has just
    written directly. When nothing is left to decide, no revision waits. The curators hear of
    a new revision on an entry the public sees or that they are reviewing.
    """
    if not can_edit(by, innovation):
        raise PermissionDenied("Only the innovation's owners and curators edit it.")
    # One proposal at a time per innovation: a second waits here for the first to commit.
    Innovation.objects.select_for_update().filter(pk=innovation.pk).values_list("pk").get()
    waiting = innovation.revisions.pending().first()
    merged = {
        name: value
        for name, value in {
            **(waiting.changes if waiting is not None else {}),
            **{name: as_json(name, value) for name, value in changes.items()},
        }.items()
        if name not in replacing
    }
    merged = {
        name: value
        for name, value in merged.items()
        if not _same(name, value, as_json(name, current_value(innovation, name)))
    }
    if waiting is not None and waiting.changes == merged:
        return waiting
    if waiting is not None and not merged:
        waiting.delete()
        return None
    if waiting is not None:
        # Only a proposal that adds or changes something is a new version to read; fields
        # the owner has since written directly just leave it.
        if any(
            name not in waiting.changes or waiting.changes[name] != value
            for name, value in merged.items()
        ):
            waiting.version += 1
            waiting.proposed_by = by
        waiting.changes = merged
        waiting.save()
        return waiting
    if not merged:
        return None
    revision = InnovationRevision.objects.create(
        innovation=innovation, changes=merged, proposed_by=by
    )
    if innovation.status != ModerationStatus.DRAFT:
        _send(
            curator_addresses(),
            f"Proposed changes to review: {innovation.title}",
            "revision_waiting.txt",
            {"innovation": innovation, "link": _review_link(innovation, absolute)},
        )
    return revision


@transaction.atomic
def withdraw_revision(revision: InnovationRevision, *, by: User) -> None:
    """An owner takes back the changes they proposed, before a curator decides."""
    if not can_edit(by, revision.innovation):
        raise PermissionDenied("Only the innovation's owners and curators withdraw its changes.")
    _pending(revision)
    InnovationRevision.objects.filter(pk=revision.pk).delete()


def _curators_only(by: User | AnonymousUser) -> None:
    if not (by.is_authenticated and by.is_staff):
        raise PermissionDenied("Only curators decide on proposed changes.")


def _pending(revision: InnovationRevision, version: int | None = None) -> InnovationRevision:
    """The revision, locked, if it still waits and (given a version) is the one read."""
    locked = InnovationRevision.objects.select_for_update().get(pk=revision.pk)
    if not locked.is_pending:
        raise ModerationError(f"These changes were {locked.get_status_display().lower()} already.")
    if version is not None and locked.version != version:
        raise ModerationError(
            "Its owner changed the proposal since you opened it: read it again, then decide."
        )
    return locked


def _decide(revision: InnovationRevision, status: str, reason: str, by: User) -> None:
    revision.status, revision.reason = status, reason.strip()
    revision.decided_by, revision.decided_at = by, timezone.now()
    with audited(revision, reason=_with_reason(revision.get_status_display(), reason), by=by):
        revision.save()


def _with_reason(what: str, reason: str) -> str:
    """An audit label: what happened, and why when someone said."""
    reason = " ".join(reason.split())
    return f"{what}: {reason}" if reason else what


@transaction.atomic
def accept_revision(
    revision: InnovationRevision,
    *,
    by: User,
    version: int | None = None,
    reason: str = "",
    absolute: Absolute = site_absolute,
) -> Innovation:
    """A curator accepts an owner's proposed changes: they are written through
    edit_innovation (the audit history saying who accepted them, and why when they say) and
    are public at once on a published entry. The owners are told."""
    _curators_only(by)
    revision = _pending(revision, version)
    innovation = revision.innovation
    values = _decode(revision.changes)
    with audited(innovation, reason=_with_reason("Proposed changes accepted", reason), by=by):
        edit_innovation(innovation, values, by=by)
        if all(name in INNOVATION_RELATIONS for name in values):
            innovation.save(update_fields=["updated_at"])  # the history row says who and why
    _decide(revision, RevisionStatus.ACCEPTED, reason, by)
    _send(
        owner_addresses(innovation, but=by),
        f"Your changes to {innovation.title} are accepted",
        "revision_accepted.txt",
        {
            "innovation": innovation,
            "reason": revision.reason,
            "link": absolute(innovation.get_absolute_url()),
        },
    )
    return innovation


@transaction.atomic
def return_revision(
    revision: InnovationRevision,
    *,
    by: User,
    reason: str,
    version: int | None = None,
    absolute: Absolute = site_absolute,
) -> InnovationRevision:
    """A curator returns an owner's proposed changes, saying why: the innovation stays as it
    was, and the owners are told the reason (by email, and on its page)."""
    _curators_only(by)
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are returning the changes."})
    revision = _pending(revision, version)
    _decide(revision, RevisionStatus.RETURNED, reason, by)
    innovation = revision.innovation
    _send(
        owner_addresses(innovation, but=by),
        f"Your changes to {innovation.title} were returned",
        "revision_returned.txt",
        {
            "innovation": innovation,
            "reason": revision.reason,
            "link": absolute(innovation.get_absolute_url()),
        },
    )
    return revision


# -- What waits for the curators --------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """Something a curator must decide: a submission, or proposed changes."""

    innovation: Innovation
    what: str
    since: datetime


def waiting_for_curators(limit: int = 50) -> list[Waiting]:
    """Submissions and proposed changes waiting for a curator, the longest waiting first."""
    submissions = (
        Innovation.objects.filter(status=ModerationStatus.SUBMITTED)
        .only("pk", "title", "slug", "status", "submitted_at")
        .order_by("submitted_at", "pk")[:limit]
    )
    revisions = (
        InnovationRevision.objects.pending()
        .select_related("innovation")
        .only("proposed_at", "innovation", "innovation__title", "innovation__slug")
        .order_by("proposed_at", "pk")[:limit]
    )
    waiting = [
        Waiting(innovation, "Submitted for review", innovation.submitted_at or timezone.now())
        for innovation in submissions
    ] + [
        Waiting(revision.innovation, "Proposed changes", revision.proposed_at)
        for revision in revisions
    ]
    return sorted(waiting, key=lambda item: item.since)[:limit]


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


def _save(
    innovation: Innovation, fields: Sequence[str], *, by: User | None, reason: str = ""
) -> None:
    """Save a moderation move, its audit history row saying which move it was, by whom, and
    why when they said."""
    label = _with_reason(MOVE_REASONS[innovation.status], reason)
    with audited(innovation, reason=label, by=by):
        innovation.save(update_fields=[*fields, "updated_at"])


def _decision(innovation: Innovation, by: User | None, reason: str) -> list[str]:
    """A curator's decision, kept on the innovation for its owners: what they said, and when.
    Returns the fields to save (none when nobody decided: the importer)."""
    if by is None or not by.is_staff:
        return []
    innovation.moderation_note, innovation.moderated_at = reason.strip(), timezone.now()
    return ["moderation_note", "moderated_at"]


# What follows an innovation's arrival at each status (set on it already): its dates, the save
# with its reason in the audit history, and the signal publication sends.


def _now_submitted(
    innovation: Innovation, by: User | None, fields: Sequence[str] = (), reason: str = ""
) -> Innovation:
    innovation.submitted_at = timezone.now()
    _save(innovation, ["status", "submitted_at", *fields], by=by, reason=reason)
    return innovation


def _now_published(
    innovation: Innovation, by: User | None, fields: Sequence[str] = (), reason: str = ""
) -> Innovation:
    if innovation.published_at is None:
        innovation.published_at = timezone.now()
    _save(innovation, ["status", "published_at", *fields], by=by, reason=reason)
    innovation_published.send(sender=Innovation, innovation=innovation, by=by)
    return innovation


def _now_there(
    innovation: Innovation, by: User | None, fields: Sequence[str] = (), reason: str = ""
) -> Innovation:
    _save(innovation, ["status", *fields], by=by, reason=reason)
    return innovation


ARRIVALS: dict[str, Callable[[Innovation, User | None], Innovation]] = {
    ModerationStatus.DRAFT: _now_there,
    ModerationStatus.SUBMITTED: _now_submitted,
    ModerationStatus.PUBLISHED: _now_published,
    ModerationStatus.ARCHIVED: _now_there,
}


def _tell_owners(
    innovation: Innovation, by: User | None, subject: str, template: str, absolute: Absolute
) -> None:
    """The owners hear of a curator's decision on their entry, with what the curator said."""
    if by is None or not by.is_staff:
        return
    _send(
        owner_addresses(innovation, but=by),
        subject,
        template,
        {
            "innovation": innovation,
            "reason": innovation.moderation_note,
            "link": absolute(innovation.get_absolute_url()),
            "edit_link": absolute(reverse("catalogue:edit", args=[innovation.slug])),
        },
    )


@transaction.atomic
def submit(
    innovation: Innovation,
    *,
    by: User | None = None,
    reason: str = "",
    absolute: Absolute = site_absolute,
) -> Innovation:
    """An innovator sends a draft to the curators for review (saying what changed, if they
    like); the curators are told."""
    _move(innovation, ModerationStatus.SUBMITTED)
    innovation.moderation_note = ""  # the last decision's words are answered now
    _now_submitted(innovation, by, ["moderation_note"], reason)
    _send(
        curator_addresses(),
        f"Submitted for review: {innovation.title}",
        "submission_waiting.txt",
        {
            "innovation": innovation,
            "reason": " ".join(reason.split()),
            "revision": pending_revision(innovation),
            "link": _review_link(innovation, absolute),
        },
    )
    return innovation


@transaction.atomic
def publish(
    innovation: Innovation,
    *,
    by: User | None = None,
    reason: str = "",
    absolute: Absolute = site_absolute,
) -> Innovation:
    """A curator makes an innovation public; the apps that follow publication hear of it
    (its learning network is created with it: networks/receivers.py), and so do its owners.
    A curator who publishes an entry has reviewed it: it is not due a review for a year."""
    _move(innovation, ModerationStatus.PUBLISHED)
    fields = _decision(innovation, by, reason)
    if fields:  # a curator's decision: publishing is their review (catalogue/freshness.py)
        innovation.last_reviewed_on, innovation.confirmed_by_owners = timezone.localdate(), False
        fields += ["last_reviewed_on", "confirmed_by_owners"]
    _now_published(innovation, by, fields, reason)
    _tell_owners(innovation, by, f"Published: {innovation.title}", "published.txt", absolute)
    return innovation


@transaction.atomic
def archive(
    innovation: Innovation,
    *,
    by: User | None = None,
    reason: str = "",
    absolute: Absolute = site_absolute,
) -> Innovation:
    """A curator withdraws an innovation from public view, keeping everything recorded on it;
    its owners are told."""
    _move(innovation, ModerationStatus.ARCHIVED)
    _now_there(innovation, by, _decision(innovation, by, reason), reason)
    _tell_owners(innovation, by, f"Archived: {innovation.title}", "archived.txt", absolute)
    return innovation


@transaction.atomic
def return_to_draft(
    innovation: Innovation,
    *,
    by: User | None = None,
    reason: str = "",
    absolute: Absolute = site_absolute,
) -> Innovation:
    """Back to its owners for more work: a curator sends it back saying why (they are told,
    by email and on its page), or an innovator takes back their own submission."""
    sending_back = (
        by is not None and by.is_staff and not innovation.owners.filter(pk=by.pk).exists()
    )
    if sending_back and not reason.strip():
        raise ValidationError(
            {"reason": "Say why you are sending it back, so that its owners know what to change."}
        )
    _move(innovation, ModerationStatus.DRAFT)
    _now_there(innovation, by, _decision(innovation, by, reason), reason)
    _tell_owners(innovation, by, f"Sent back to you: {innovation.title}", "sent_back.txt", absolute)
    return innovation


MOVES: dict[str, Callable[..., Innovation]] = {
    ModerationStatus.DRAFT: return_to_draft,
    ModerationStatus.SUBMITTED: submit,
    ModerationStatus.PUBLISHED: publish,
    ModerationStatus.ARCHIVED: archive,
}

# Owners may send a draft for review and take a submission back; curators make every other move.
OWNER_MOVES = {ModerationStatus.DRAFT, ModerationStatus.SUBMITTED}


def move(
    innovation: Innovation,
    to: str,
    *,
    by: User,
    reason: str = "",
    absolute: Absolute = site_absolute,
) -> Innovation:
    """Change an innovation's moderation status, as `by` is allowed to, saying why."""
    if innovation.status == to:
        return innovation
    if not by.is_staff and not (innovation.status in OWNER_MOVES and to in OWNER_MOVES):
        raise ModerationError(
            f"Only curators can move an innovation that is "
            f"{innovation.get_status_display().lower()} to {ModerationStatus(to).label.lower()}."
        )
    return MOVES[to](innovation, by=by, reason=reason, absolute=absolute)


@transaction.atomic
def set_status(innovation: Innovation, status: str, *, by: User | None = None) -> Innovation:
    """Put an innovation where the curators' catalogue file says it stands, whatever its status
    now (a file may skip moves: an entry may arrive archived). What follows each status follows
    as for its move: submission and publication dates, and the publication signal. An
    innovation there already is left alone. Nobody is emailed: a file is the curators' own."""
    if innovation.status == status:
        return innovation
    innovation.status = status
    return ARRIVALS[status](innovation, by)

"""Freshness: every published entry is checked at least once a year, by a curator or by its
owners.

An entry is due a review when it was never reviewed, or last reviewed more than twelve months
ago (`catalogue.models.review_due_condition`, and `Innovation.review_due` for one entry). Once a
day `ask_owners_to_review` emails the owners of each published entry that is due, and whose
owners were not asked in the last twelve months, a link to confirm it is still right in one
click, or to change it. A confirmation by an owner counts as a review (`confirm_current`); a
curator marks an entry reviewed in the admin (`mark_reviewed`); publishing an entry is a
curator's review too (catalogue.services.publish). The entry's page says which it was and when.

The links are signed, work for REVIEW_LINK_DAYS and only once (kernel.once), and name the owner
they were sent to: someone who has since stopped being an owner cannot use theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from catalogue import completeness
from catalogue.choices import ModerationStatus
from catalogue.models import Innovation, review_due_before, review_due_condition
from kernel import once, outbox
from kernel.audit import audited
from kernel.text import one_line
from kernel.urls import site_absolute

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Absolute = Callable[[str], str]

# How long an emailed link to confirm an entry works.
REVIEW_LINK_DAYS = 90
_LINK_SALT = "catalogue.freshness.confirm"
# How many entries one transaction asks about: a long backlog is sent in steps, each
# committed (and its emails sent) before the next.
_BATCH = 100

# What the audit history says of each kind of review.
REVIEWED_BY_CURATOR = "Reviewed by a curator"
CONFIRMED_BY_OWNER = "Confirmed as up to date by an owner"


class InvalidLink(Exception):
    """An emailed link that confirms nothing: changed, expired, used, or no longer its
    holder's to use. The message says which, for the page."""


# -- Reviews ----------------------------------------------------------------------------------


def _reviewed(
    innovation: Innovation, *, on: date, by_owners: bool, by: User, reason: str
) -> Innovation:
    innovation.last_reviewed_on, innovation.confirmed_by_owners = on, by_owners
    with audited(innovation, reason=reason, by=by):
        innovation.save(update_fields=["last_reviewed_on", "confirmed_by_owners", "updated_at"])
    return innovation


@transaction.atomic
def mark_reviewed(innovation: Innovation, *, by: User, on: date | None = None) -> Innovation:
    """A curator checked the entry and found it right: it is reviewed `on` that day (today by
    default), by a curator, and not due again for twelve months."""
    if not (by.is_authenticated and by.is_staff):
        raise PermissionDenied("Only curators mark an entry reviewed.")
    return _reviewed(
        innovation,
        on=on or timezone.localdate(),
        by_owners=False,
        by=by,
        reason=REVIEWED_BY_CURATOR,
    )


def is_owner(user: User | AnonymousUser, innovation: Innovation) -> bool:
    """Whether `user` is one of the entry's owners, with an account still in use."""
    return (
        user.is_authenticated and user.is_active and innovation.owners.filter(pk=user.pk).exists()
    )


@transaction.atomic
def confirm_current(innovation: Innovation, *, by: User, on: date | None = None) -> Innovation:
    """One of its owners confirms the published entry is still right: that counts as its
    review, `on` that day (today by default), and the page says its owners confirmed it."""
    if not is_owner(by, innovation):
        raise PermissionDenied("Only the entry's owners confirm it is up to date.")
    if not innovation.is_published:
        raise ValidationError("Only a published entry is confirmed as up to date.")
    return _reviewed(
        innovation,
        on=on or timezone.localdate(),
        by_owners=True,
        by=by,
        reason=CONFIRMED_BY_OWNER,
    )


# -- The links in the emails ------------------------------------------------------------------


def review_token(innovation: Innovation, owner: User) -> str:
    """What the link sent to one owner carries: the entry and the owner, signed and dated."""
    return signing.dumps({"innovation": innovation.pk, "owner": owner.pk}, salt=_LINK_SALT)


@dataclass(frozen=True)
class ReviewLink:
    """What a valid link confirms: an entry, by one of its owners."""

    token: str
    innovation: Innovation
    owner: User


def review_link(token: str) -> ReviewLink:
    """The entry and owner a link is for; InvalidLink says why when it can confirm nothing.
    The entry is the one the token names, whatever address it was reached at (its slug may
    have changed since the email)."""
    try:
        found = signing.loads(token, salt=_LINK_SALT, max_age=timedelta(days=REVIEW_LINK_DAYS))
    except signing.SignatureExpired as exc:
        raise InvalidLink(
            f"This link has expired: links work for {REVIEW_LINK_DAYS} days."
        ) from exc
    except signing.BadSignature as exc:
        raise InvalidLink("This link is not complete or has been changed.") from exc
    if not isinstance(found, dict) or not all(
        isinstance(found.get(key), int) for key in ("innovation", "owner")
    ):
        raise InvalidLink("This link is not complete or has been changed.")
    innovation = Innovation.objects.filter(pk=found["innovation"]).first()
    if innovation is None:
        raise InvalidLink("The entry this link was for has since been deleted.")
    owner = get_user_model().objects.filter(pk=found["owner"]).first()
    if owner is None or not is_owner(owner, innovation):
        raise InvalidLink(
            "This link was sent to someone who no longer looks after this entry, so it cannot "
            "confirm it."
        )
    if not innovation.is_published:
        raise InvalidLink("This entry is no longer published, so there is nothing to confirm.")
    if once.spent(token, purpose=_LINK_SALT):
        raise InvalidLink("This link has been used already: each link works once.")
    return ReviewLink(token=token, innovation=innovation, owner=owner)


@transaction.atomic
def confirm_by_link(link: ReviewLink, *, on: date | None = None) -> Innovation:
    """The owner the link was sent to confirms the entry (confirm_current), and the link is
    spent. Two clicks at once: one confirms, the other is refused (InvalidLink)."""
    if not once.spend(
        link.token, purpose=_LINK_SALT, valid_for=timedelta(days=REVIEW_LINK_DAYS + 1)
    ):
        raise InvalidLink("This link has been used already: each link works once.")
    return confirm_current(link.innovation, by=link.owner, on=on)


# -- Asking the owners ------------------------------------------------------------------------


def _owners_to_ask() -> Exists:
    """The entry has an owner who can be emailed: an active account with an address."""
    through = Innovation.owners.through
    return Exists(
        through.objects.filter(innovation=OuterRef("pk"), user__is_active=True).exclude(
            user__email=""
        )
    )


def to_ask(now: datetime) -> Q:
    """Which entries' owners are asked on the day of `now`: published, due a review, and not
    asked in the twelve months before."""
    today = timezone.localdate(now)
    return (
        Q(status=ModerationStatus.PUBLISHED)
        & review_due_condition(today)
        & (
            Q(review_requested_at__isnull=True)
            | Q(review_requested_at__date__lt=review_due_before(today))
        )
    )


@dataclass
class AskReport:
    innovations: int = 0
    emails: int = 0


def ask_owners_to_review(now: datetime, *, absolute: Absolute = site_absolute) -> AskReport:
    """Email every owner of each published entry that is due a review, and whose owners were
    not asked in the last twelve months, a link to confirm it or change it. Running it again
    the same day (or at the same time elsewhere) sends nothing twice: an entry is marked
    asked in the transaction that queues its emails, and entries another run holds are
    skipped. A plain function of `now`, for `manage.py ask_for_reviews` and the daily task."""
    report = AskReport()
    while True:
        with transaction.atomic():
            batch = list(
                completeness.with_completeness(Innovation.objects.filter(to_ask(now)))
                .filter(_owners_to_ask())
                .select_for_update(skip_locked=True, of=("self",))
                .oldest_review_first()[:_BATCH]
            )
            if not batch:
                return report
            for innovation in batch:
                report.emails += _ask(innovation, absolute)
            Innovation.objects.filter(pk__in=[i.pk for i in batch]).update(review_requested_at=now)
            report.innovations += len(batch)


def _ask(innovation: Innovation, absolute: Absolute) -> int:
    """Queue one email to each owner of the entry who can be emailed; how many."""
    owners = innovation.owners.filter(is_active=True).exclude(email="").order_by("pk")
    gaps = completeness.of(innovation).missing
    edit_link = absolute(reverse("catalogue:edit", args=[innovation.slug]))
    sent = 0
    for owner in owners:
        token = review_token(innovation, owner)
        body = render_to_string(
            "catalogue/email/review_request.txt",
            {
                "innovation": innovation,
                "owner": owner,
                "confirm_link": absolute(
                    reverse("catalogue:confirm-current", args=[innovation.slug, token])
                ),
                "edit_link": edit_link,
                "page_link": absolute(innovation.get_absolute_url()),
                "missing": gaps,
                "days": REVIEW_LINK_DAYS,
                "SITE_NAME": settings.SITE_NAME,
            },
        )
        outbox.queue(owner.email, one_line(f"Is {innovation.title} still up to date?"), body)
        sent += 1
    return sent

"""Following up adoptions that are on their way: exploring, planning or piloting.

Whoever recorded such an adoption of a published innovation is emailed three months after the
latest news of it (a dated step in its history: recording it, a change of status, a note, an
answered follow-up), then every six months, until it is adopted, scaled, paused or stopped
(`Adoption.follow_up_due_after`, kept on the adoption as `next_follow_up_on` by
`services.note_status` and by each follow-up sent). The email has one link, signed and bound to
that follow-up, which opens a short form: where the adoption stands now, people reached,
outcomes, lessons, and why it paused or stopped. No sign-in is needed: the link is the proof,
and it works once, for LINK_DAYS days, until a newer follow-up replaces it.

`send_follow_ups(now)` is a plain function: `manage.py send_follow_ups` runs it, and so can a
scheduler, daily; a second run the same day sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from adopters import services
from adopters.choices import AdoptionStatus
from adopters.models import REASON_GIVEN_FOR, Adoption
from adopters.services import InvalidLink
from kernel import outbox
from kernel.audit import audited
from kernel.urls import site_absolute

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Its own salt: no other signed value of the site (a registration's confirmation, an account's
# verification) opens a follow-up, even for the same id.
_SALT = "adopters.adoption.follow-up"
# How long a follow-up's link works: long enough to answer after a holiday, and well within
# the six months before the next one.
LINK_DAYS = 60

_BROKEN = "This link is not complete or has been changed. Copy the whole link from the email."


def recipient(adoption: Adoption) -> tuple[str, User | None]:
    """Who a follow-up goes to, and the account it then speaks for: whoever recorded the
    adoption, at their account's address while the account is open; otherwise the adoption's
    contact (an adoption imported, or whose recorder's account has closed), speaking for no
    account. ("", None) when there is nobody to ask."""
    account = adoption.recorded_by
    if account is not None and account.is_active and account.email:
        return account.email, account
    return adoption.contact_email, None


# `recipient`'s rule as a filter: adoptions with somebody to ask. Those without (imported ones
# with no contact, say) stay due, and are not read every day.
_SOMEONE_TO_ASK = (Q(recorded_by__is_active=True) & ~Q(recorded_by__email="")) | ~Q(
    contact_email=""
)


def send_follow_ups(now: datetime, *, absolute: Callable[[str], str] = site_absolute) -> int:
    """Email every adoption whose follow-up is due on `now`'s date a link to say how it is going,
    and count them. Each adoption is sent one at a time, in its own transaction, with its row
    locked (another run at the same moment skips it); once sent, it is next due in six
    months, so running this again the same day sends nothing. An adoption with nobody to ask
    stays due, and is asked once it has an address (read only then)."""
    today = timezone.localdate(now)
    due = (
        Adoption.objects.due_follow_up(today)
        .filter(_SOMEONE_TO_ASK)
        .order_by("next_follow_up_on", "pk")
    )
    return sum(_send_one(pk, now, absolute) for pk in due.values_list("pk", flat=True))


@transaction.atomic
def _send_one(pk: int, now: datetime, absolute: Callable[[str], str]) -> bool:
    adoption = (
        Adoption.objects.due_follow_up(timezone.localdate(now))
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("innovation", "organisation", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if adoption is None:  # answered, moved on or being sent by another run meanwhile
        return False
    to, _ = recipient(adoption)
    if not to:  # the recorder's account closed, or the contact was erased, meanwhile
        return False
    adoption.follow_up_sent_at = now
    adoption.next_follow_up_on = adoption.follow_up_due_after(timezone.localdate(now))
    # Not a save(): bookkeeping, not a change of the record to audit or date.
    Adoption.objects.filter(pk=pk).update(
        follow_up_sent_at=adoption.follow_up_sent_at,
        next_follow_up_on=adoption.next_follow_up_on,
    )
    outbox.queue(
        to,
        f"How is {adoption.innovation.title} going at {adoption.organisation.name}?",
        render_to_string(
            "adopters/email/follow_up.txt",
            {
                "adoption": adoption,
                "link": absolute(reverse("adopters:follow-up", args=[follow_up_token(adoption)])),
                "story": absolute(adoption.get_absolute_url()),
                "days": LINK_DAYS,
                "SITE_NAME": settings.SITE_NAME,
            },
        ),
    )
    return True


def follow_up_token(adoption: Adoption) -> str:
    """What the link of the follow-up last sent for this adoption carries: the adoption, and
    when that follow-up went (so that a newer one, or an answer, makes it stop working)."""
    if adoption.follow_up_sent_at is None:
        raise ValueError("No follow-up has been sent for this adoption.")
    return signing.dumps(
        {"adoption": adoption.pk, "sent": adoption.follow_up_sent_at.isoformat()}, salt=_SALT
    )


def adoption_to_follow_up(token: str, *, lock: bool = False) -> Adoption:
    """The adoption a follow-up's link opens; InvalidLink says why, and what to do, when it
    opens none: changed, expired, answered already, replaced by a newer follow-up, or for an
    adoption no longer public. `lock` holds the adoption's row until the transaction ends."""
    found = services.signed(
        token,
        _SALT,
        LINK_DAYS,
        f"This link has expired: links work for {LINK_DAYS} days. We will email you a new one "
        "when the adoption is next due a follow-up.",
    )
    try:
        pk, sent = found["adoption"], datetime.fromisoformat(found["sent"])
    except (TypeError, KeyError, ValueError) as exc:
        raise InvalidLink(_BROKEN) from exc
    if not isinstance(pk, int):
        raise InvalidLink(_BROKEN)
    adoptions = Adoption.objects.public().select_related("innovation", "organisation")
    if lock:
        adoptions = adoptions.select_for_update(of=("self",))
    adoption = adoptions.filter(pk=pk).first()
    if adoption is None:
        raise InvalidLink("This adoption is no longer shown in the catalogue.")
    if adoption.follow_up_sent_at is None or adoption.follow_up_sent_at != sent:
        raise InvalidLink(
            "We have sent a newer email about this adoption: use the link in that one."
        )
    if adoption.follow_up_answered_at is not None and adoption.follow_up_answered_at >= sent:
        raise InvalidLink("This update has been sent already, and each link works once.")
    return adoption


@dataclass(frozen=True)
class FollowUpAnswer:
    """What the follow-up's form says of the adoption now."""

    status: str
    people_reached: int | None = None
    outcomes: str = ""
    lessons: str = ""
    reason: str = ""  # why it paused or stopped


def _refused(answer: FollowUpAnswer) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if answer.status not in AdoptionStatus.values:
        errors["status"] = ["Choose where the adoption stands now"]
    elif answer.status in REASON_GIVEN_FOR and not answer.reason.strip():
        errors["reason"] = [
            f"Say why it {AdoptionStatus(answer.status).label.lower()}, so that others can "
            "learn from it"
        ]
    if answer.people_reached is not None and answer.people_reached < 0:
        errors["people_reached"] = ["People reached must be 0 or more"]
    return errors


@transaction.atomic
def answer_follow_up(token: str, answer: FollowUpAnswer) -> Adoption:
    """The answer to a follow-up, from its link: the adoption's status, people reached,
    outcomes and lessons become what it says; a pause or a stop needs its reason, kept on the
    adoption (the innovation's page shows stopped adoptions and why) and as the note of its
    dated step. The step is added whether the status changed or not (`note_status`, so the
    networks hear of it), and the next follow-up is due counting from it.

    The answer speaks for whoever the follow-up went to (`recipient`): like an edit by them, a
    change un-verifies the adoption and makes it their word. The link then stops working.
    Refuses with InvalidLink (the link no longer opens it) or a ValidationError naming the
    field (`status`, `reason`, `people_reached`).
    """
    adoption = adoption_to_follow_up(token, lock=True)
    errors = _refused(answer)
    if errors:
        raise ValidationError(errors)
    _, by = recipient(adoption)
    # Only a pause or a stop is explained; starting again clears the explanation (the dated
    # history keeps it).
    reason = answer.reason.strip() if answer.status in REASON_GIVEN_FOR else ""
    changes: dict[str, object] = {
        "people_reached": answer.people_reached,
        "outcomes": answer.outcomes,
        "lessons": answer.lessons,
        "stopped_reason": reason,
    }
    changed = [name for name, value in changes.items() if getattr(adoption, name) != value]
    for name in changed:
        setattr(adoption, name, changes[name])
    if changed or answer.status != adoption.status:
        changed += services.as_reported_by(adoption, by)
    adoption.follow_up_answered_at = timezone.now()
    with audited(adoption, reason="Answered a follow-up email", by=by):
        adoption.save(update_fields=[*changed, "follow_up_answered_at", "updated_at"])
    note = reason or "Answered a follow-up email."
    if answer.status == adoption.status:
        services.note_status(adoption, by=by, note=note)
        return adoption
    return services.change_status(adoption, answer.status, by=by, note=note)

"""The adopters' rules: registering interest, recording adoptions and every change of status.

Views, the API, admin actions and commands call these; none re-implements them.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from rest_framework.authtoken.models import Token

from adopters.choices import Provenance, RegistrationStatus
from adopters.models import (
    Adoption,
    AdoptionStatusChange,
    RegistrationOfInterest,
)
from adopters.signals import adoption_status_noted, adoption_verified, interest_confirmed
from catalogue import services as catalogue_services
from catalogue.models import Innovation
from catalogue.services import NamedOrganisation
from kernel import once, outbox
from kernel import rate as kernel_rate
from kernel.audit import audited
from kernel.mailboxes import mailbox, mailbox_of
from kernel.models import OutgoingEmail

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet


def note_status(
    adoption: Adoption,
    *,
    by: User | None = None,
    note: str = "",
    on: date | None = None,
) -> AdoptionStatusChange:
    """Add the adoption's current status to its dated history, and tell the apps that follow
    adoptions (an adoption reaching piloting brings its contact into the core ring of the
    innovation's network: networks/receivers.py).

    A dated step is news of the adoption: its next follow-up email is due counting from it
    (`Adoption.follow_up_due_after`), and none is once it is adopted, scaled, paused or
    stopped."""
    change = AdoptionStatusChange.objects.create(
        adoption=adoption,
        status=adoption.status,
        changed_on=on or timezone.localdate(),
        note=note,
        changed_by=by if by is not None and by.is_authenticated else None,
    )
    due = adoption.follow_up_due_after(change.changed_on)
    if due != adoption.next_follow_up_on:
        # Not a save(): bookkeeping, not a change of the record to audit or date.
        Adoption.objects.filter(pk=adoption.pk).update(next_follow_up_on=due)
        adoption.next_follow_up_on = due
    adoption_status_noted.send(sender=Adoption, adoption=adoption, by=by)
    return change


@transaction.atomic
def change_status(
    adoption: Adoption,
    status: str,
    *,
    by: User | None = None,
    note: str = "",
    on: date | None = None,
) -> Adoption:
    """Move an adoption to a new status and record the step in its history."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if adoption.status != status:
        adoption.status = status
        with audited(adoption, reason=f"Now {adoption.get_status_display().lower()}", by=by):
            adoption.save(update_fields=["status", "updated_at"])
        note_status(adoption, by=by, note=note, on=on)
    return adoption


def can_edit_adoption(adoption: Adoption, user: User | AnonymousUser) -> bool:
    """Whoever recorded an adoption, and the curators, may edit it."""
    return user.is_authenticated and (user.is_staff or adoption.recorded_by_id == user.pk)


# What anyone but a curator is told when they try to mark an adoption verified, or not.
CURATORS_VERIFY = "Only curators can mark an adoption verified or not."


def _require_curator(by: User) -> None:
    if not by.is_staff:
        raise ValidationError({"verified": [CURATORS_VERIFY]}, code="curators_only")


def reported_provenance(adoption: Adoption, by: User | None) -> str:
    """How we know of an adoption that `by` told us about, unchecked: from the innovation's
    team when they own the innovation, otherwise from the adopter (whoever records an
    adoption, or a curator passing on what someone else reported)."""
    if by is not None and adoption.innovation.owners.filter(pk=by.pk).exists():
        return Provenance.REPORTED_BY_INNOVATOR
    return Provenance.SELF_REPORTED


def as_reported_by(adoption: Adoption, by: User | None) -> list[str]:
    """An adoption that anyone but a curator changes (`by`, or None for an adopter known only
    by the contact address a follow-up went to) is no longer verified, and is their word
    again: reported by the innovator when they own the innovation, otherwise self-reported.
    A new status is a change of what was checked too (an adoption verified while exploring says
    nothing of a pilot). Sets the fields, unsaved, before the step reaches the networks; returns
    the names of those it changed."""
    if by is not None and by.is_staff:
        return []
    changed = []
    if adoption.verified:
        adoption.verified, adoption.verified_by, adoption.verified_at = False, None, None
        changed += ["verified", "verified_by", "verified_at"]
    reported = reported_provenance(adoption, by)
    if adoption.provenance != reported:
        adoption.provenance = reported
        changed.append("provenance")
    return changed


def _set_provenance(adoption: Adoption, provenance: str, *, by: User) -> Adoption:
    """A curator says how we know of an adoption: checked (verified) or, unchecked, who told
    us."""
    _require_curator(by)
    if provenance not in Provenance.values:
        raise ValidationError({"provenance": [f"{provenance!r} is not a provenance."]})
    if provenance == Provenance.VERIFIED:
        return verify_adoption(adoption, by=by)
    adoption = verify_adoption(adoption, by=by, verified=False)
    if adoption.provenance != provenance:
        adoption.provenance = provenance
        adoption.save(update_fields=["provenance", "updated_at"])
    return adoption


def placed(changes: dict[str, Any], adoption: Adoption) -> dict[str, Any]:
    """`changes` to an adoption with its region put right: an adoption in a local authority
    is in that authority's region (its English region, or its nation), whatever else was
    said."""
    local_authority = changes.get("local_authority", adoption.local_authority)
    if local_authority is None:
        return changes
    return {**changes, "region": local_authority.region}


@transaction.atomic
def record_adoption(
    adoption: Adoption,
    *,
    by: User,
    note: str = "",
    registration: RegistrationOfInterest | None = None,
    organisation: NamedOrganisation | None = None,
    verified: bool | None = None,
    provenance: str | None = None,
) -> Adoption:
    """Keep a new adoption (validated, not yet saved) as recorded by `by`, and start its dated
    history.

    Its provenance says who told us: an owner of the innovation (reported by the innovator)
    or anyone else (self-reported); verified when a curator checks it. Curators may instead
    say which (`provenance`, as in the admin).

    `organisation`, when the adopter only named it, is the catalogue's own of that name or a
    new one in the adoption's region. When the adoption grew out of a registration of interest
    (an owner of the innovation turns one into an adoption), the two are linked. Only curators
    say whether it is verified (a ValidationError on `verified` for anyone else).
    """
    if not by.is_authenticated:
        raise PermissionDenied("Sign in to record an adoption.")
    if verified is not None or provenance is not None:
        _require_curator(by)
    if registration is not None and not (
        registration.innovation_id == adoption.innovation_id
        and catalogue_services.can_edit(by, registration.innovation)
    ):
        raise PermissionDenied("Only the innovation's owners turn its interest into adoptions.")
    if adoption.local_authority is not None:
        adoption.region = adoption.local_authority.region
    if organisation is not None:
        adoption.organisation = catalogue_services.organisation_for(
            organisation, region=adoption.region
        )
    adoption.recorded_by = by
    adoption.provenance = (
        Provenance.VERIFIED if adoption.verified else reported_provenance(adoption, by)
    )
    adoption.save()
    note_status(adoption, by=by, note=note)
    if registration is not None:
        registration.adoption = adoption
        registration.status = RegistrationStatus.ADOPTED
        registration.save(update_fields=["adoption", "status", "updated_at"])
    if provenance is not None:
        adoption = _set_provenance(adoption, provenance, by=by)
    elif verified:
        adoption = verify_adoption(adoption, by=by)
    return adoption


@transaction.atomic
def edit_adoption(
    adoption: Adoption,
    changes: dict[str, Any],
    *,
    status: str,
    by: User,
    note: str = "",
    organisation: NamedOrganisation | None = None,
    verified: bool | None = None,
    provenance: str | None = None,
) -> Adoption:
    """Write the changed fields only (so that someone else's change made meanwhile is not
    undone), then move the status, adding a dated step to the history when it changed, or
    when a note comes without a change of status.

    Whoever recorded it and the curators edit it. `organisation`, when only named, is found or
    added as for `record_adoption`. When anyone but a curator changes what a curator checked,
    it is no longer verified, and its provenance becomes theirs to vouch for (reported by the
    innovator when they own the innovation, otherwise self-reported); only curators say
    whether it is verified (`verified`), or set its provenance (`provenance`).
    """
    if not can_edit_adoption(adoption, by):
        raise PermissionDenied("Only whoever recorded an adoption, and curators, may edit it.")
    if verified is not None or provenance is not None:
        _require_curator(by)
    changes = placed(changes, adoption)
    if organisation is not None:
        changes = {
            **changes,
            "organisation": catalogue_services.organisation_for(
                organisation, region=changes.get("region", adoption.region)
            ),
        }
    changed = [name for name, value in changes.items() if getattr(adoption, name) != value]
    for name in changed:
        setattr(adoption, name, changes[name])
    if changed or status != adoption.status:
        changed += as_reported_by(adoption, by)
    if changed:
        adoption.save(update_fields=[*changed, "updated_at"])
    if status == adoption.status and note.strip():
        # News without a change of status is still a dated step worth keeping.
        note_status(adoption, by=by, note=note)
    else:
        adoption = change_status(adoption, status, by=by, note=note)
    if provenance is not None:
        adoption = _set_provenance(adoption, provenance, by=by)
    elif verified is not None:
        adoption = verify_adoption(adoption, by=by, verified=verified)
    return adoption


@transaction.atomic
def verify_adoption(adoption: Adoption, *, by: User, verified: bool = True) -> Adoption:
    """A curator confirms that an adoption really happened as recorded (or, `verified` false,
    takes that back: then it is again as reported by whoever recorded it). Anyone else gets a
    ValidationError on `verified`."""
    _require_curator(by)
    if adoption.verified == verified:
        return adoption
    adoption.verified = verified
    adoption.verified_by = by if verified else None
    adoption.verified_at = timezone.now() if verified else None
    adoption.provenance = (
        Provenance.VERIFIED if verified else reported_provenance(adoption, adoption.recorded_by)
    )
    adoption.save(
        update_fields=["verified", "verified_by", "verified_at", "provenance", "updated_at"]
    )
    if verified:
        adoption_verified.send(sender=Adoption, adoption=adoption, by=by)
    return adoption


# -- Registering interest -------------------------------------------------------------------------

# The form field that people never see (nor hear): whatever fills it in is not a person.
HONEYPOT_FIELD = "website"

_CONFIRM_SALT = "adopters.registration.confirm"
_FORM_STARTED_SALT = "adopters.registration.started"
# A form older than this is sent again with a fresh start (the page was left open for days).
_FORM_MAX_AGE = 24 * 3600
# Whose limit a registration counts towards, and the lock that makes counting and adding one.
_RATE_LOCK = 7_411_002


class RateLimited(Exception):
    """Too many registrations, or emails about accounts, from one network address or for one
    email address, lately."""

    def __init__(self, retry_after: int, what: str = "registrations of interest") -> None:
        super().__init__(f"Too many {what}; try again in {retry_after} s.")
        self.retry_after = retry_after


class InvalidLink(Exception):
    """A confirmation link (of a registration, or of an account) that was altered, has
    expired, or whose registration or account has gone or moved on."""


def consent_wording(innovation: Innovation) -> str:
    """What a person agrees to by registering interest (stored with each registration)."""
    return (
        f"I agree that {settings.SITE_NAME} keeps the details I have given and passes them to "
        f"the team behind {innovation.title} once I have confirmed my email address, so that "
        "they can reply to me. I can ask for my details to be deleted at any time."
    )


def client_key(address: str) -> str:
    """A keyed hash of a network address: enough to count its registrations, not to find it."""
    return salted_hmac("adopters.registration.client", address).hexdigest()


def form_started() -> str:
    """A signed note of when a registration form was shown (the minimum fill time), unique to
    that showing so that it can be used once."""
    return signing.dumps(
        {"shown_at": time.time(), "nonce": secrets.token_urlsafe(12)}, salt=_FORM_STARTED_SALT
    )


def use_form_started(started: str) -> str | None:
    """Why a form sent with this start note is refused, or None when the form took a person's
    time and the note had not been used before; a note that passes is spent (kernel.once), so
    that one page load cannot send registration after registration."""
    try:
        note = signing.loads(started, salt=_FORM_STARTED_SALT, max_age=_FORM_MAX_AGE)
        # A bare time: a note given before notes carried a nonce (forms open at the upgrade).
        shown_at = float(note["shown_at"] if isinstance(note, dict) else note)
    except (signing.BadSignature, TypeError, ValueError, KeyError):
        return "This form has expired. Check your answers and send it again."
    if time.time() - shown_at < settings.REGISTRATION_MIN_FILL_SECONDS:
        return (
            "This form was sent too quickly to have been filled in. "
            "Check your answers and send it again."
        )
    if not once.spend(
        started, purpose=_FORM_STARTED_SALT, valid_for=timedelta(seconds=_FORM_MAX_AGE)
    ):
        return (
            "This form has been sent already. If no email has come asking you to confirm, "
            "check your answers and send it again."
        )
    return None


def check_rate(*, key: str, email: str) -> None:
    """Refuse a registration when its network address or its email's mailbox (the address
    without a +tag, in any case: kernel.mailboxes) reached the hourly limit.

    Call inside the transaction that adds the registration: the lock taken here makes counting
    and adding one step, so that requests arriving together cannot all slip under the limit.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RATE_LOCK])
    window = timedelta(seconds=settings.REGISTRATION_WINDOW_SECONDS)
    now = timezone.now()
    recent = RegistrationOfInterest.objects.filter(created_at__gt=now - window).order_by(
        "created_at"
    )
    # Counted per mailbox, not per address as typed: name+1@example.org is name@example.org.
    same_mailbox = recent.alias(mailbox=mailbox(F("email"))).filter(mailbox=mailbox(email))
    limits: list[tuple[QuerySet[RegistrationOfInterest], int]] = [
        (same_mailbox, settings.REGISTRATION_LIMIT_PER_EMAIL)
    ]
    if key:
        limits.append((recent.filter(client_key=key), settings.REGISTRATION_LIMIT_PER_ADDRESS))
    waits = []
    for registrations, limit in limits:
        if limit <= 0:  # registrations closed by configuration
            waits.append(settings.REGISTRATION_WINDOW_SECONDS)
            continue
        times = list(registrations.reverse().values_list("created_at", flat=True)[:limit])
        if len(times) >= limit:
            # Room comes back when the oldest of the last `limit` leaves the window.
            frees_at = times[-1] + window
            waits.append(max(1, math.ceil((frees_at - now).total_seconds())))
    if waits:
        raise RateLimited(max(waits))


@transaction.atomic
def register_interest(
    innovation: Innovation,
    *,
    details: dict[str, Any],
    key: str,
    absolute: Callable[[str], str],
) -> RegistrationOfInterest:
    """Keep a registration of interest at once, and email the person a link to confirm it.

    `details` holds what the person gave (name, email, organisation_name, organisation_kind,
    role, region, interests, message); they have agreed to `consent_wording`, which is stored
    with it. `key` is the sender's `client_key` and `absolute` makes a path a full URL for the
    email. Nothing is passed on to the innovation's team before the person confirms.
    """
    check_rate(key=key, email=details["email"])
    registration = RegistrationOfInterest.objects.create(
        innovation=innovation,
        consent=True,
        consent_text=consent_wording(innovation),
        client_key=key,
        **details,
    )
    link = absolute(reverse("adopters:confirm", args=[confirmation_token(registration)]))
    outbox.queue(
        registration.email,
        f"Confirm your interest in {innovation.title}",
        render_to_string(
            "adopters/email/confirm_registration.txt",
            {
                "registration": registration,
                "link": link,
                "days": settings.REGISTRATION_CONFIRM_DAYS,
                "SITE_NAME": settings.SITE_NAME,
            },
        ),
    )
    return registration


def signed(token: str, salt: str, days: int, expired: str) -> Any:
    """What an emailed link signed `days` ago at most holds; InvalidLink, saying `expired` or
    that it was changed, when it holds nothing usable."""
    try:
        return signing.loads(token, salt=salt, max_age=timedelta(days=days))
    except signing.SignatureExpired as exc:
        raise InvalidLink(expired) from exc
    except signing.BadSignature as exc:
        raise InvalidLink("This link is not complete or has been changed.") from exc


def confirmation_token(registration: RegistrationOfInterest) -> str:
    return signing.dumps(registration.pk, salt=_CONFIRM_SALT)


def registration_for(token: str) -> RegistrationOfInterest:
    """The registration a confirmation link is for; InvalidLink says why when there is none."""
    days = settings.REGISTRATION_CONFIRM_DAYS
    pk = signed(token, _CONFIRM_SALT, days, f"This link has expired: links work for {days} days.")
    registration = RegistrationOfInterest.objects.select_related("innovation").filter(pk=pk).first()
    if registration is None:
        raise InvalidLink("This registration has since been deleted.")
    return registration


@transaction.atomic
def confirm_registration(
    registration: RegistrationOfInterest, *, absolute: Callable[[str], str]
) -> RegistrationOfInterest:
    """The person confirmed their email address: the registration now counts.

    They join the innovation's interest ring when it is published (networks/receivers.py,
    through `interest_confirmed`) and the innovation's contacts (`innovation_contacts`) hear
    about it. Confirming twice changes nothing.
    """
    registration = (
        RegistrationOfInterest.objects.select_for_update(of=("self",))
        .select_related("innovation", "region")
        .get(pk=registration.pk)
    )
    if registration.confirmed_at is not None:
        return registration
    registration.confirmed_at = timezone.now()
    if registration.status == RegistrationStatus.NEW:
        registration.status = RegistrationStatus.CONFIRMED
    registration.save(update_fields=["confirmed_at", "status", "updated_at"])

    innovation = registration.innovation
    interest_confirmed.send(sender=RegistrationOfInterest, registration=registration)
    body = render_to_string(
        "adopters/email/new_registration.txt",
        {
            "registration": registration,
            "joined": innovation.is_published,
            "link": absolute(innovation.get_absolute_url()),
            "SITE_NAME": settings.SITE_NAME,
        },
    )
    for address in innovation_contacts(innovation):
        outbox.queue(address, f"New interest in {innovation.title}", body)
    return registration


def innovation_contacts(innovation: Innovation) -> list[str]:
    """Who hears of new interest: the public contact; failing that, every owner; failing that
    (an entry curated from a public report, say), the curators, who can pass it on."""
    if innovation.contact_email:
        return [innovation.contact_email]
    if interest_goes_to_curators(innovation):
        return catalogue_services.curator_addresses()
    return catalogue_services.owner_addresses(innovation)


def interest_goes_to_curators(innovation: Innovation) -> bool:
    """Whether the curators are the ones told of interest in it (and pass it on): it has no
    public contact and no owner with an email address (the innovation's page says so)."""
    return not innovation.contact_email and not catalogue_services.owner_addresses(innovation)


@transaction.atomic
def purge_unconfirmed() -> tuple[int, int, int, int]:
    """Delete personal data kept only for as long as it serves a purpose: registrations left
    unconfirmed for longer than their link works, queued emails as old, records of failed
    sign-ins older than a day (django-axes), and accounts never confirmed in as long (unless a
    curator has given them something to look after).

    Returns how many registrations, emails, sign-in records and accounts went.
    """
    from axes.models import AccessAttempt

    now = timezone.now()
    cutoff = now - timedelta(days=settings.REGISTRATION_CONFIRM_DAYS)
    registrations, _ = RegistrationOfInterest.objects.filter(
        confirmed_at__isnull=True, created_at__lt=cutoff
    ).delete()
    emails, _ = OutgoingEmail.objects.filter(created_at__lt=cutoff).delete()
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=now - timedelta(days=1)).delete()
    accounts = (
        get_user_model()
        .objects.filter(
            is_active=False,
            last_login__isnull=True,
            date_joined__lt=cutoff,
            owned_innovations__isnull=True,
            recorded_adoptions__isnull=True,
        )
        .values_list("pk", flat=True)
    )
    closed = (
        get_user_model()
        .objects.filter(pk__in=list(accounts))
        .delete()[1]
        .get(get_user_model()._meta.label, 0)
    )
    return registrations, emails, attempts, closed


# -- Accounts -------------------------------------------------------------------------------------
#
# An account opens only for whoever holds its mailbox: signing up asks for nothing but the
# address, and the person who follows the emailed link chooses the name and the password there.
# However many sign-ups are made for one address, by whoever, nobody but the mailbox's holder
# ever sets a password that works, and nothing typed at sign-up reaches the email.

_VERIFY_SALT = "adopters.accounts.verify"
_NEW = "new"  # what a link for an address with no account yet is bound to


@dataclass(frozen=True)
class AccountToOpen:
    """What a valid verification link opens: an address, and its account if one is waiting
    (made before links chose the password, or by a curator, and never used)."""

    email: str
    account: User | None


def _account_state(user: User | None) -> str:
    """What a verification link is bound to: once the address has an account in use, or the
    waiting account has a new password or has been used, the link no longer opens it (nor
    reopens it after a curator closed it)."""
    if user is None:
        return _NEW
    return salted_hmac(_VERIFY_SALT, f"{user.password}|{user.last_login}").hexdigest()[:20]


def _account_for(email: str) -> User | None:
    """The account of this address, in any case: the address or the username is the one typed,
    compared in Python. PostgreSQL's UPPER() (what `iexact` asks) folds more than case: the
    dotless ı of victim@gmaıl.com, a domain anyone can register, becomes the I of
    VICTIM@GMAIL.COM, and a link emailed to the look-alike would open that account."""
    typed = email.lower()
    candidates = (
        get_user_model()
        .objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
        .order_by("pk")
    )
    return next(
        (user for user in candidates if typed in (user.email.lower(), user.get_username().lower())),
        None,
    )


def verification_token(email: str) -> str:
    """What the link that confirms an email address, and opens its account, carries."""
    email = email.lower()
    return signing.dumps(
        {"email": email, "state": _account_state(_account_for(email))}, salt=_VERIFY_SALT
    )


def _account_email(to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    body = render_to_string(
        f"registration/email/{template}",
        {**context, "SITE_NAME": settings.SITE_NAME, "days": settings.ACCOUNT_VERIFY_DAYS},
    )
    outbox.queue(to, subject, body)


def account_email_allowed(email: str, client: str) -> bool:
    """Whether another email about an account (a sign-up link, a password reset) may go to this
    address, asked for from this client: at most ACCOUNT_EMAILS_PER_ADDRESS an hour to one
    address, ACCOUNT_EMAILS_PER_CLIENT an hour from one network address. Raises RateLimited
    when the client is over its limit; answers False, silently, when only the address is, so
    that the page says the same whatever the address."""
    window = 3600
    if not kernel_rate.hit(f"account-emails-client:{client}", settings.ACCOUNT_EMAILS_PER_CLIENT):
        raise RateLimited(window, what="emails about accounts")
    return kernel_rate.hit(
        f"account-emails-address:{mailbox_of(email)}", settings.ACCOUNT_EMAILS_PER_ADDRESS
    )


@transaction.atomic
def sign_up(*, email: str, client: str, absolute: Callable[[str], str]) -> None:
    """Someone asks for an account for this email address (as the sign-up form checked it).

    Whoever typed the address is told the same whatever happens here; the mailbox hears the
    rest, so nobody learns which addresses have accounts. An address with no account, or with
    one never used, gets a link that opens the account once its holder has chosen a name and a
    password; an account in use is told how to reset its password. Nothing is stored until the
    link is followed. `client` (a keyed hash of the network address) counts towards the limits
    of account_email_allowed; `absolute` makes a path a full URL for the email.
    """
    if not account_email_allowed(email, client):
        return
    existing = _account_for(email)
    if existing is None or (not existing.is_active and existing.last_login is None):
        link = absolute(reverse("accounts:verify", args=[verification_token(email)]))
        _account_email(
            email,
            f"Confirm your email address for {settings.SITE_NAME}",
            "verify_account.txt",
            {"link": link},
        )
    else:
        _account_email(
            existing.email or email,
            f"You already have an account on {settings.SITE_NAME}",
            "account_exists.txt",
            {"reset_link": absolute(reverse("accounts:password-reset"))},
        )


def account_to_verify(token: str) -> AccountToOpen:
    """The address a verification link confirms; InvalidLink says why when it opens nothing."""
    days = settings.ACCOUNT_VERIFY_DAYS
    found = signed(
        token,
        _VERIFY_SALT,
        days,
        f"This link has expired: links work for {days} days. "
        "Create your account again to get a new one.",
    )
    if not isinstance(found, dict) or not isinstance(found.get("email"), str):
        raise InvalidLink("This link is not complete or has been changed.")
    user = _account_for(found["email"])
    if user is not None and user.is_active:
        raise InvalidLink("This email address is confirmed already: sign in with your password.")
    if found.get("state") != _account_state(user):
        raise InvalidLink("This link no longer works: ask for a new one by creating your account.")
    return AccountToOpen(email=found["email"], account=user)


@transaction.atomic
def open_account(to_open: AccountToOpen, *, name: str, password: str) -> User:
    """The holder of the mailbox followed the link and chose a name and a password (checked
    by the form against Django's password validators): the account opens with them."""
    user = to_open.account or get_user_model()(username=to_open.email, email=to_open.email)
    user.first_name = name
    user.set_password(password)
    user.is_active = True
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # another link for the same address was followed just now
        raise InvalidLink(
            "This email address is confirmed already: sign in with your password."
        ) from exc
    return user


# -- API tokens ----------------------------------------------------------------------------------
#
# A token (DRF's, one an account, made at POST /api/v1/auth/token/) acts for its account until
# it is revoked: by its owner on their account page, and whenever the account's password is
# changed or reset (adopters/receivers.py) or the person's data is erased.


def api_token_of(user: User) -> Token | None:
    return Token.objects.filter(user=user).first()


def revoke_api_tokens(user: User) -> int:
    """Revoke every API token of this account; how many there were."""
    return Token.objects.filter(user=user).delete()[0]


# -- Registrations received, for the innovator -----------------------------------------------------

# The statuses an innovator moves a confirmed registration between.
FOLLOW_UP_STATUSES = [
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.CONTACTED,
    RegistrationStatus.CLOSED,
]


def registrations_received(user: User) -> QuerySet[RegistrationOfInterest]:
    """The confirmed registrations of interest in the innovations this person owns.

    Unconfirmed ones are never shown: the person agreed to be passed on once they confirmed.
    """
    return (
        RegistrationOfInterest.objects.filter(innovation__owners=user, confirmed_at__isnull=False)
        .select_related("innovation", "region")
        .order_by("-confirmed_at", "-pk")
    )


def follow_up(
    registration: RegistrationOfInterest, status: str, *, by: User
) -> RegistrationOfInterest:
    """An owner of the innovation (or a curator) records where a registration stands."""
    if not catalogue_services.can_edit(by, registration.innovation):
        raise PermissionError("Only the innovation's owners and curators follow up its interest.")
    if status not in FOLLOW_UP_STATUSES:
        raise ValueError(f"A registration cannot be moved to {status!r} by hand.")
    if registration.confirmed_at is None:
        raise ValueError("The person has not confirmed their email address yet.")
    if registration.adoption_id is not None:
        raise ValueError("This interest has become an adoption: follow it up there.")
    registration.status = status
    registration.save(update_fields=["status", "updated_at"])
    return registration

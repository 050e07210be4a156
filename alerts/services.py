"""Alerts for a search and follows of an innovation: asking, confirming, stopping, and the
digests (docs/alerts.md).

Anyone may ask, with no account: an email address, and a search (an alert) or an innovation
(a follow). Nothing but the confirmation email goes to the address until its link is followed
(double opt-in). Then one digest per address, daily or weekly, lists what is new for each of
its alerts and follows, and nothing is sent when nothing is new. Every digest carries a link
that stops everything at once (also in its List-Unsubscribe headers), one per alert or follow,
and one to a page listing them all.

The links are signed (django.core.signing) with a salt for each use: a confirmation link works
for a week, a link to the list of alerts for a month, and a link that stops something for as
long as there is something to stop.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import Truncator

from adopters.models import AdoptionStatusChange
from alerts.models import Alert, Frequency, Subscription, Watch, address_key
from catalogue.facets import FACET_BY_NAME
from catalogue.filtersets import LABELS, SEARCH_FIELDS
from catalogue.models import ACTIVE_ADOPTION_STATUSES, Innovation, ReachFigure, Resource
from catalogue.search import SearchError, criteria, ordered_ids
from kernel import outbox, rate
from kernel.mailboxes import mailbox_of, unquoted
from kernel.text import one_line
from kernel.urls import site_absolute

logger = logging.getLogger(__name__)

HOUR = 3600
DAY = 24 * HOUR
CONFIRM_DAYS = 7
MANAGE_DAYS = 30
PERIODS = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(weeks=1)}
# A digest is due a little before its full period, so that the daily run is not put off a day
# by a few minutes' drift; less than the hour between runs, or each would come an hour early.
EARLY = timedelta(minutes=30)
# A digest covers what happened until a few minutes ago: a change committed late, with an
# earlier time on it, is still in the next digest rather than lost between two.
SETTLE = timedelta(minutes=5)
# A digest lists at most this many innovations for an alert (the rest are a link away).
DIGEST_LIMIT = 20
# The search parameters an alert keeps: the search, not its page, its sort or a harvester's
# `modified_since` (a digest has its own "since").
KEPT = [name for name in SEARCH_FIELDS if name not in ("sort", "modified_since")]
QUERY_MAX = 2000

_CONFIRM_SALT = "alerts.confirm"
_STOP_SALT = "alerts.stop"
_STOP_ALL_SALT = "alerts.stop-all"
_MANAGE_SALT = "alerts.manage"


class InvalidLink(Exception):
    """A link that is not ours, was altered, or has expired: the message says which."""


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests; try again in {retry_after} seconds.")
        self.retry_after = retry_after


# --- Asking


def normalised_query(raw: str) -> str:
    """A search's query string as an alert keeps it: only the search's own parameters (no page,
    no sort), each value once, in a fixed order; validated as the search validates it.

    Raises ValidationError on `query` naming every malformed parameter."""
    if len(raw) > QUERY_MAX:
        raise ValidationError({"query": [f"Keep the search under {QUERY_MAX} characters."]})
    params = QueryDict(raw.lstrip("?"))
    kept = QueryDict(mutable=True)
    for name in KEPT:
        for value in sorted({v.strip() for v in params.getlist(name) if v.strip()}):
            kept.appendlist(name, value)
    try:
        criteria(kept)
    except SearchError as exc:
        raise ValidationError(
            {
                "query": [
                    f"{LABELS.get(name, name)} ({name}): {message}"
                    for name, messages in exc.errors.items()
                    for message in messages
                ]
            }
        ) from exc
    normalised = kept.urlencode()
    if len(normalised) > QUERY_MAX:
        raise ValidationError({"query": [f"Keep the search under {QUERY_MAX} characters."]})
    return normalised


def _checked_address(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
        unquoted(email)
    except ValidationError as exc:
        raise ValidationError({"email": ["Enter an email address, like name@example.org"]}) from exc
    return email


def _checked_frequency(frequency: str) -> str:
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": ["Choose daily or weekly."]})
    return frequency


def _check_rate(key: str, email: str) -> None:
    """At most ALERTS_PER_EMAIL requests a day for one mailbox (whatever its case or +tag:
    kernel.mailboxes), ALERTS_PER_CLIENT an hour from one network address: each sends an
    email, so neither a person nor a script can make the site send a stranger more than a few
    a day, however many searches they name."""
    # A keyed digest: an address can be longer than a cache key may be, and a cache is no
    # place to keep addresses.
    digest = salted_hmac("alerts.rate.mailbox", mailbox_of(email)).hexdigest()
    limits = [(f"alerts:mailbox:{digest}", settings.ALERTS_PER_EMAIL, DAY)]
    if key:
        limits.append((f"alerts:client:{key}", settings.ALERTS_PER_CLIENT, HOUR))
    for name, limit, window in limits:
        if not rate.hit(name, limit, window):
            raise RateLimited(window)


def _checked(checks: list[tuple[str, Callable[[str], str], str]]) -> dict[str, str]:
    """Each value through its check; ValidationError naming every field that fails."""
    errors: dict[str, list[str]] = {}
    checked: dict[str, str] = {}
    for name, check, value in checks:
        try:
            checked[name] = check(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


S = TypeVar("S", Alert, Watch)


def _ask(model: type[S], checked: dict[str, str], absolute: Callable[[str], str], **what: Any) -> S:
    """The alert or follow of this address for `what`, made or found, and its email: the link
    that confirms it (again, with the frequency asked this time, and its week to confirm in
    starting again), or, once confirmed, a note with the link to the list of alerts."""
    with transaction.atomic():
        subscription, _ = model.objects.get_or_create(
            address=address_key(checked["email"]),
            **what,
            defaults={"email": checked["email"], "frequency": checked["frequency"]},
        )
        if subscription.confirmed:
            _queue_already(subscription, absolute)
        else:
            subscription.email = checked["email"]
            subscription.frequency = checked["frequency"]
            subscription.created_at = timezone.now()
            subscription.save(update_fields=["email", "address", "frequency", "created_at"])
            _queue_confirmation(subscription, absolute)
    return subscription


def ask_for_alert(
    email: str, query: str, frequency: str, *, key: str = "", absolute: Callable[[str], str]
) -> Alert:
    """Save a search for `email` and send the link that confirms it (see _ask). Every case
    answers the same, so the answer says nothing about someone else's address."""
    checked = _checked(
        [
            ("email", _checked_address, email),
            ("frequency", _checked_frequency, frequency),
            ("query", normalised_query, query),
        ]
    )
    _check_rate(key, checked["email"])
    return _ask(Alert, checked, absolute, query=checked["query"])


def ask_to_follow(
    email: str,
    innovation: Innovation,
    frequency: str,
    *,
    key: str = "",
    absolute: Callable[[str], str],
) -> Watch:
    """Follow a published innovation: as ask_for_alert, for one innovation's news."""
    checked = _checked(
        [("email", _checked_address, email), ("frequency", _checked_frequency, frequency)]
    )
    _check_rate(key, checked["email"])
    return _ask(Watch, checked, absolute, innovation=innovation)


def _kind(subscription: Subscription) -> str:
    return "alert" if isinstance(subscription, Alert) else "watch"


def _queue_confirmation(subscription: Subscription, absolute: Callable[[str], str]) -> None:
    token = signing.dumps([_kind(subscription), subscription.pk], salt=_CONFIRM_SALT)
    context = {
        "subscription": subscription,
        "link": absolute(reverse("alerts:confirm", args=[token])),
        "days": CONFIRM_DAYS,
        "SITE_NAME": settings.SITE_NAME,
    }
    outbox.queue(
        subscription.email,
        "Confirm your email alert" if isinstance(subscription, Alert) else "Confirm you want news",
        render_to_string("alerts/email/confirm.txt", context),
    )


def _queue_already(subscription: Subscription, absolute: Callable[[str], str]) -> None:
    context = {
        "manage": absolute(reverse("alerts:manage", args=[manage_token(subscription.address)])),
        "SITE_NAME": settings.SITE_NAME,
    }
    outbox.queue(
        subscription.email,
        "You already get these emails",
        render_to_string("alerts/email/already.txt", context),
    )


def _signed(token: str, salt: str, max_age: timedelta | None) -> Any:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidLink("This link has expired.") from exc
    except signing.BadSignature as exc:
        raise InvalidLink("This link is not one we sent, or it was not copied in full.") from exc


def _subscription(signed: Any) -> Subscription | None:
    """The alert or follow a signed [kind, id] names (None for anything else)."""
    if not (isinstance(signed, list) and len(signed) == 2 and isinstance(signed[1], int)):
        return None
    kind, pk = signed
    if kind == "alert":
        return Alert.objects.filter(pk=pk).first()
    if kind == "watch":
        return Watch.objects.filter(pk=pk).select_related("innovation").first()
    return None


def subscription_to_confirm(token: str) -> Subscription:
    """The alert or follow a confirmation link names; InvalidLink when it is not valid, or the
    alert was stopped since."""
    subscription = _subscription(_signed(token, _CONFIRM_SALT, timedelta(days=CONFIRM_DAYS)))
    if subscription is None:
        raise InvalidLink("This alert was stopped, or never confirmed in time and removed.")
    return subscription


def confirm(subscription: Subscription) -> None:
    """Start sending digests: what happens from now on is news. Confirming again changes
    nothing."""
    if subscription.confirmed:
        return
    now = timezone.now()
    subscription.confirmed_at = now
    subscription.covered_until = now
    subscription.save(update_fields=["confirmed_at", "covered_until"])


def stop_token(subscription: Subscription) -> str:
    return signing.dumps([_kind(subscription), subscription.pk], salt=_STOP_SALT)


def stop_all_token(address: str) -> str:
    return signing.dumps(address, salt=_STOP_ALL_SALT)


def manage_token(address: str) -> str:
    return signing.dumps(address, salt=_MANAGE_SALT)


def to_stop(token: str) -> tuple[str, Subscription | None]:
    """(what it was, the alert or follow) a stop link names; None when it has gone already."""
    subscription = _subscription(_signed(token, _STOP_SALT, None))
    return (describe(subscription) if subscription else ""), subscription


def purge_unconfirmed(now: datetime) -> int:
    """Alerts and follows never confirmed within CONFIRM_DAYS of being asked for go, with the
    address (whose owner may never have asked); how many went."""
    cutoff = now - timedelta(days=CONFIRM_DAYS)
    gone = 0
    for model in (Alert, Watch):
        deleted, _ = model.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
        gone += deleted
    return gone


def stop(subscription: Subscription) -> None:
    """Stop an alert or a follow: it is deleted, with the address it held."""
    subscription.delete()


def address_to_stop(token: str) -> str:
    return str(_signed(token, _STOP_ALL_SALT, None))


def address_to_manage(token: str) -> str:
    return str(_signed(token, _MANAGE_SALT, timedelta(days=MANAGE_DAYS)))


def stop_everything(address: str) -> int:
    """Stop every alert and follow of an address; how many there were."""
    alerts, _ = Alert.objects.filter(address=address).delete()
    watches, _ = Watch.objects.filter(address=address).delete()
    return alerts + watches


def subscriptions_of(address: str) -> tuple[list[Alert], list[Watch]]:
    return (
        list(Alert.objects.filter(address=address)),
        list(Watch.objects.filter(address=address).select_related("innovation")),
    )


def send_manage_link(email: str, *, key: str = "", absolute: Callable[[str], str]) -> None:
    """Email a link to the list of an address's alerts and follows, when it has any (the answer
    is the same either way)."""
    email = _checked_address(email)
    _check_rate(key, email)
    address = address_key(email)
    if not (
        Alert.objects.filter(address=address).exists()
        or Watch.objects.filter(address=address).exists()
    ):
        return
    link = absolute(reverse("alerts:manage", args=[manage_token(address)]))
    outbox.queue(
        email,
        "Your email alerts",
        render_to_string("alerts/email/manage.txt", {"link": link, "days": MANAGE_DAYS}),
    )


# --- Saying what an alert is


def describe(subscription: Subscription) -> str:
    if isinstance(subscription, Watch):
        return f"news of {subscription.innovation.title}"
    return describe_query(subscription.query)  # type: ignore[attr-defined]


def _names(table: str, slugs: list[str], places: bool) -> list[str]:
    # `table` comes from FACETS, never from the request.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT slug, name FROM {table} WHERE slug = ANY(%s)", [slugs])  # noqa: S608
        found = dict(cursor.fetchall())
        if places:
            cursor.execute(
                "SELECT code, name FROM catalogue_localauthority WHERE code = ANY(%s)", [slugs]
            )
            found |= dict(cursor.fetchall())
    return [found[slug] for slug in slugs if slug in found]


def describe_query(query: str) -> str:
    """A saved search in words: 'loneliness; Sector: Health or Housing'."""
    params = QueryDict(query)
    parts = []
    if params.get("q"):
        parts.append(f"“{Truncator(one_line(params['q'])).chars(80)}”")
    for name, facet in FACET_BY_NAME.items():
        values = params.getlist(name)
        if not values:
            continue
        # Only values the catalogue knows: an unknown slug, as typed, is nobody's words to show.
        if facet.table:
            labels = _names(facet.table, values, facet.places)
        else:
            fixed = {str(value): label for value, label in facet.choices}
            labels = [fixed[value] for value in values if value in fixed]
        if labels:
            parts.append(f"{facet.label}: {' or '.join(labels)}")
    return "; ".join(parts) or "every new innovation"


# --- The digests


@dataclass
class Item:
    """One line of a digest: an innovation and what is new about it."""

    innovation: Innovation
    news: list[str]
    url: str = ""


@dataclass
class Section:
    subscription: Subscription
    what: str
    items: list[Item]
    more: int = 0
    search_url: str = ""
    stop_url: str = ""


@dataclass
class DigestReport:
    sent: int = 0
    nothing_new: int = 0
    sections: int = 0


def is_due(subscription: Subscription, now: datetime) -> bool:
    if not subscription.confirmed or subscription.covered_until is None:
        return False
    period = PERIODS[Frequency(subscription.frequency)]
    return now - subscription.covered_until >= period - EARLY


def new_for_alert(alert: Alert, since: datetime, until: datetime) -> tuple[list[Item], int]:
    """The innovations the alert's search finds that were published, or had an adoption reach
    piloting, adopted or scaled, in (since, until]: in the search's own order, at most
    DIGEST_LIMIT of them, and how many more there are."""
    news: dict[int, list[str]] = defaultdict(list)
    for pk in (
        Innovation.objects.published()
        .filter(published_at__gt=since, published_at__lte=until)
        .values_list("pk", flat=True)
    ):
        news[pk].append("Newly published.")
    steps = (
        AdoptionStatusChange.objects.filter(
            created_at__gt=since,
            created_at__lte=until,
            status__in=ACTIVE_ADOPTION_STATUSES,
            adoption__innovation__status="published",
        )
        .select_related("adoption__organisation")
        .order_by("created_at")
    )
    for step in steps:
        adoption = step.adoption
        news[adoption.innovation_id].append(
            f"{step.get_status_display()}: {adoption.organisation.name}"
            + (f", {adoption.area}" if adoption.area else "")
            + "."
        )
    if not news:
        return [], 0
    try:
        wanted = criteria(QueryDict(alert.query))
    except SearchError:  # a search saved before its parameters' rules changed
        logger.warning("Alert %s: its search no longer validates; nothing can be sent", alert.pk)
        return [], 0
    found = ordered_ids(wanted, among=list(news))
    innovations = Innovation.objects.in_bulk(found[:DIGEST_LIMIT])
    items = [Item(innovations[pk], news[pk]) for pk in found[:DIGEST_LIMIT]]
    return items, max(0, len(found) - DIGEST_LIMIT)


def news_of(watch: Watch, since: datetime, until: datetime) -> list[str]:
    """What happened to a followed innovation in (since, until]: new adoptions, reach figures
    and resources, and changes of its stage or evidence level, oldest first."""
    innovation = watch.innovation
    if innovation.status != "published":
        return []
    window = {"created_at__gt": since, "created_at__lte": until}
    dated: list[tuple[datetime, str]] = []
    adoptions = innovation.adoptions.filter(**window).select_related("organisation")
    for adoption in adoptions:
        dated.append(
            (
                adoption.created_at,
                f"New adoption: {adoption.organisation.name}"
                + (f", {adoption.area}" if adoption.area else "")
                + f" ({adoption.get_status_display().lower()}).",
            )
        )
    for figure in ReachFigure.objects.filter(innovation=innovation, **window):
        dated.append(
            (
                figure.created_at,
                f"New reach figure: {figure.value:,} {figure.measure} ({figure.date:%B %Y}).",
            )
        )
    for resource in Resource.objects.filter(innovations=innovation, **window):
        dated.append((resource.created_at, f"New resource: {resource.title}."))
    dated.extend(_changes(innovation, since, until))
    return [text for _, text in sorted(dated, key=lambda pair: pair[0])]


def _changes(
    innovation: Innovation, since: datetime, until: datetime
) -> Iterable[tuple[datetime, str]]:
    """Changes of stage and evidence level in the window, from the audit history: each
    compared with the record before it."""
    records = list(innovation.audit.filter(history_date__lte=until).order_by("-history_date")[:50])
    records.reverse()
    for before, after in zip(records, records[1:], strict=False):
        if after.history_date <= since:
            continue
        if before.stage != after.stage and after.stage:
            yield after.history_date, f"Stage changed to {after.get_stage_display().lower()}."
        if before.evidence_level != after.evidence_level and after.evidence_level:
            yield after.history_date, f"Evidence level changed to {after.evidence_level}."


def _due_by_address(now: datetime, force: bool) -> dict[str, list[Subscription]]:
    due: dict[str, list[Subscription]] = defaultdict(list)
    subscriptions: list[QuerySet[Any]] = [
        Alert.objects.filter(confirmed_at__isnull=False),
        Watch.objects.filter(confirmed_at__isnull=False),
    ]
    for queryset in subscriptions:
        for subscription in queryset.only(
            "pk", "address", "frequency", "confirmed_at", "covered_until"
        ):
            if force or is_due(subscription, now):
                due[subscription.address].append(subscription)
    return due


def send_digests(now: datetime | None = None, *, force: bool = False) -> DigestReport:
    """Send each address the digest its due alerts and follows make, and nothing when nothing
    is new; move each one's window on either way. `force`: every confirmed one is due.

    Each address's rows are locked while its digest is made (SKIP LOCKED), so two runs at once,
    on two workers, never send one twice; an address whose digest fails is logged and left due
    for the next run, and the others carry on."""
    now = now or timezone.now()
    report = DigestReport()
    for address, candidates in _due_by_address(now, force).items():
        try:
            _send_digest(address, candidates, now, force, report)
        except Exception:
            logger.exception("The digest of one address failed; it stays due")
    return report


def _send_digest(
    address: str, candidates: list[Subscription], now: datetime, force: bool, report: DigestReport
) -> None:
    until = now - SETTLE
    with transaction.atomic():
        alerts = [s.pk for s in candidates if isinstance(s, Alert)]
        watches = [s.pk for s in candidates if isinstance(s, Watch)]
        rows: list[Subscription] = [
            *Alert.objects.select_for_update(skip_locked=True).filter(pk__in=alerts),
            *Watch.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=watches)
            .select_related("innovation"),
        ]
        locked = [s for s in rows if s.confirmed and (force or is_due(s, now))]
        if not locked:
            return
        sections = [section for s in locked if (section := _section(s, until)).items]
        if sections:
            _queue_digest(locked[0].email, address, sections)
            report.sent += 1
            report.sections += len(sections)
        else:
            report.nothing_new += 1
        for subscription in locked:
            since = subscription.covered_until or until
            subscription.covered_until = max(until, since)
            if sections:
                subscription.last_sent_at = now
            subscription.save(update_fields=["covered_until", "last_sent_at"])


def _section(subscription: Subscription, until: datetime) -> Section:
    since = subscription.covered_until or until
    stop_url = site_absolute(reverse("alerts:stop", args=[stop_token(subscription)]))
    if isinstance(subscription, Alert):
        items, more = new_for_alert(subscription, since, until) if since < until else ([], 0)
        search = reverse("catalogue:innovation-list")
        return Section(
            subscription,
            describe(subscription),
            items,
            more,
            search_url=site_absolute(
                search + (f"?{subscription.query}" if subscription.query else "")
            ),
            stop_url=stop_url,
        )
    assert isinstance(subscription, Watch)
    news = news_of(subscription, since, until) if since < until else []
    items = [Item(subscription.innovation, news)] if news else []
    return Section(subscription, describe(subscription), items, stop_url=stop_url)


def _queue_digest(email: str, address: str, sections: list[Section]) -> None:
    stop_all = site_absolute(reverse("alerts:unsubscribe", args=[stop_all_token(address)]))
    for section in sections:
        for item in section.items:
            item.url = site_absolute(
                reverse("catalogue:innovation-detail", args=[item.innovation.slug])
            )
    context = {
        "sections": sections,
        "stop_all": stop_all,
        "manage": site_absolute(reverse("alerts:manage", args=[manage_token(address)])),
        "SITE_NAME": settings.SITE_NAME,
    }
    count = sum(len(section.items) for section in sections)
    subject = (
        f"{count} new {'innovation' if count == 1 else 'innovations'} for your alerts"
        if all(isinstance(s.subscription, Alert) for s in sections)
        else f"News from {settings.SITE_NAME}"
    )
    outbox.queue(
        email,
        subject,
        render_to_string("alerts/email/digest.txt", context),
        headers={
            "List-Unsubscribe": f"<{stop_all}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )

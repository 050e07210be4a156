"""Alerts for a search (alerts/; CONTRACT.md, "Alerts"): asking on the page and in the API,
double opt-in, digests checked against the search engine's own results, nothing when nothing
is new, and stopping, one alert or everything, with the one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from catalogue.search import search
from tests.factories import (
    AdoptionFactory,
    AdoptionStatusChangeFactory,
    InnovationFactory,
    OrganisationFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def links(message) -> list[str]:
    return LINK.findall(message.body)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def health():
    return SectorFactory(name="Health", slug="health")


def ask(client, query="q=loneliness&sector=health", email="sam@example.org", frequency="daily"):
    return client.post(
        "/api/v1/alerts/",
        {"email": email, "query": query, "frequency": frequency},
        content_type="application/json",
    )


def confirmed_alert(client, django_capture_on_commit_callbacks, **kwargs) -> Alert:
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, **kwargs).status_code == 201
    confirm_url = next(link for link in links(mail.outbox[-1]) if "/alerts/confirm/" in link)
    assert client.post(path_of(confirm_url)).status_code == 302
    alert = Alert.objects.order_by("-pk").first()
    assert alert.confirmed
    mail.outbox.clear()
    return alert


def back_dated(alert: Alert, days: float = 2) -> None:
    Alert.objects.filter(pk=alert.pk).update(covered_until=timezone.now() - timedelta(days=days))


@pytest.fixture
def digest_now(django_capture_on_commit_callbacks):
    """Send the digests due a little ahead of now (so that what the test just made is older
    than the digest's settling time), as the worker would: their emails leave on commit."""

    def send(at=None) -> services.DigestReport:
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_digests(at or timezone.now() + timedelta(minutes=10))

    return send


# --- Asking


def test_the_api_saves_the_search_and_sends_only_a_confirmation(
    client, health, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, query="?sector=health&q=loneliness&page=3&sort=newest")

    assert response.status_code == 201
    body = response.json()
    assert body["query"] == "q=loneliness&sector=health"  # page and sort left out, in order
    assert body["frequency"] == "daily"
    (message,) = mail.outbox
    assert message.to == ["sam@example.org"]
    assert "/alerts/confirm/" in message.body
    assert "loneliness" not in message.body  # what was typed is shown on the page, not mailed
    assert not Alert.objects.get().confirmed


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not an address", "query": "", "frequency": "daily"}, "email"),
        ({"email": "sam@example.org", "query": "", "frequency": "hourly"}, "frequency"),
        ({"email": "sam@example.org", "query": "evidence=9", "frequency": "daily"}, "query"),
        (
            {
                "email": "sam@example.org",
                "query": "sort=nonsense&adopted=maybe",
                "frequency": "daily",
            },
            "query",
        ),
        ({"email": "sam@example.org", "query": "q=" + "x" * 2001, "frequency": "daily"}, "query"),
        ({"query": "", "frequency": "daily"}, "email"),
    ],
)
def test_a_bad_request_is_a_400_naming_the_field_and_keeps_nothing(client, payload, field):
    response = client.post("/api/v1/alerts/", payload, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Alert.objects.exists()
    assert mail.outbox == []


def test_a_form_encoded_body_is_refused_so_other_sites_cannot_sign_up_their_visitors(client):
    response = client.post(
        "/api/v1/alerts/", {"email": "sam@example.org", "query": "", "frequency": "daily"}
    )

    assert response.status_code == 415
    assert not Alert.objects.exists()


def test_one_mailbox_gets_only_a_few_requests_a_day(client, settings):
    settings.ALERTS_PER_EMAIL = 2
    assert ask(client, query="q=a").status_code == 201
    assert ask(client, query="q=b", email="Sam+x@Example.org").status_code == 201

    refused = ask(client, query="q=c")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Alert.objects.count() == 2


def test_asking_again_for_a_confirmed_alert_says_so_without_a_second_alert(
    client, health, django_capture_on_commit_callbacks
):
    confirmed_alert(client, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        again = ask(client, email="SAM@example.org", frequency="weekly")

    assert again.status_code == 201
    assert again.json()["email"] == "SAM@example.org"  # what was sent, not what is stored
    assert Alert.objects.count() == 1
    assert Alert.objects.get().frequency == "daily"
    (message,) = mail.outbox
    assert "You already get these emails" in message.subject
    assert "/alerts/manage/" in message.body


def test_the_page_asks_for_an_address_and_sends_the_link(
    client, health, django_capture_on_commit_callbacks
):
    page = client.get("/alerts/new/?q=loneliness&sector=health&page=2")
    assert page.status_code == 200
    assert "“loneliness”; Sector: Health" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            "/alerts/new/",
            {
                "query": "q=loneliness&sector=health",
                "email": "sam@example.org",
                "frequency": "weekly",
            },
        )

    assert sent.status_code == 302
    assert sent["Location"] == "/alerts/check-your-email/"
    assert Alert.objects.get().frequency == "weekly"
    assert len(mail.outbox) == 1


def test_the_page_shows_a_bad_email_as_a_form_error(client):
    response = client.post("/alerts/new/", {"query": "", "email": "sam", "frequency": "daily"})

    assert response.status_code == 400
    assert "Enter an email address" in response.content.decode()
    assert not Alert.objects.exists()


def test_a_search_with_a_problem_cannot_be_saved(client):
    response = client.get("/alerts/new/?evidence=9")

    assert response.status_code == 400
    assert "This search cannot be saved" in response.content.decode()


def test_the_search_page_links_to_an_alert_for_the_same_search(client, health):
    InnovationFactory(title="Loneliness project").sectors.add(health)

    page = client.get("/innovations/?q=loneliness&sector=health").content.decode()

    assert 'href="/alerts/new/?q=loneliness&amp;sector=health"' in page


# --- Confirming


def test_opening_the_link_does_not_confirm_the_button_does(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, query="")
    url = path_of(next(link for link in links(mail.outbox[0]) if "/confirm/" in link))

    assert client.get(url).status_code == 200
    assert not Alert.objects.get().confirmed
    client.post(url)
    alert = Alert.objects.get()
    assert alert.confirmed
    assert alert.covered_until == alert.confirmed_at


@pytest.mark.parametrize(
    "token",
    ["nonsense", "WyJhbGVydCIsMV0:1vSh4g:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
)
def test_a_link_that_is_not_ours_is_a_clear_400(client, token):
    response = client.get(f"/alerts/confirm/{token}/")

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()


def test_a_stop_link_is_not_a_confirmation_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, query="")
    alert = Alert.objects.get()

    response = client.post(f"/alerts/confirm/{services.stop_token(alert)}/")

    assert response.status_code == 400
    assert not Alert.objects.get().confirmed


def test_a_confirmation_link_expires_after_a_week(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, query="")
    url = path_of(next(link for link in links(mail.outbox[0]) if "/confirm/" in link))

    from unittest import mock

    later = timezone.now().timestamp() + 8 * 86400
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(url)

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Alert.objects.get().confirmed


# --- Digests


def test_a_digest_lists_what_the_search_finds_among_the_new_in_the_engines_order(
    digest_now, client, health, django_capture_on_commit_callbacks
):
    alert = confirmed_alert(client, django_capture_on_commit_callbacks)
    back_dated(alert)
    old = InnovationFactory(title="Loneliness cafe", summary="Tea against loneliness.")
    old.sectors.add(health)
    type(old).objects.filter(pk=old.pk).update(published_at=timezone.now() - timedelta(days=30))
    first = InnovationFactory(title="Loneliness line", summary="Calls against loneliness.")
    second = InnovationFactory(title="Walks", summary="Walking groups for loneliness in towns.")
    other_sector = InnovationFactory(title="Loneliness in housing", summary="loneliness")
    unrelated = InnovationFactory(title="Potholes", summary="Roads.")
    for innovation in (first, second):
        innovation.sectors.add(health)
    del other_sector, unrelated

    report = digest_now()

    assert report.sent == 1
    (message,) = mail.outbox
    new = {first.pk, second.pk}
    engine = search(QueryDict(alert.query + "&page_size=100")).results
    expected = [hit.title for hit in engine if hit.id in new]
    listed = re.findall(r"^\* (.+)$", message.body, re.MULTILINE)
    assert listed == expected
    assert sorted(listed) == ["Loneliness line", "Walks"]
    assert "Newly published." in message.body
    assert message.subject == "2 new innovations for your alerts"


def test_an_innovation_newly_adopted_is_news_too(
    digest_now, client, health, django_capture_on_commit_callbacks
):
    innovation = InnovationFactory(title="Loneliness line", summary="loneliness")
    innovation.sectors.add(health)
    type(innovation).objects.filter(pk=innovation.pk).update(
        published_at=timezone.now() - timedelta(days=30)
    )
    alert = confirmed_alert(client, django_capture_on_commit_callbacks)
    back_dated(alert)
    adoption = AdoptionFactory(
        innovation=innovation, organisation=OrganisationFactory(name="Leeds City Council")
    )
    AdoptionStatusChangeFactory(adoption=adoption, status="piloting")
    AdoptionStatusChangeFactory(
        adoption=AdoptionFactory(innovation=innovation, status="exploring"), status="exploring"
    )

    digest_now()

    (message,) = mail.outbox
    assert "Loneliness line" in message.body
    assert "Piloting: Leeds City Council" in message.body
    assert "Exploring" not in message.body  # only piloting, adopted or scaled is adoption


def test_nothing_new_sends_nothing_and_moves_the_window_on(
    digest_now, client, django_capture_on_commit_callbacks
):
    alert = confirmed_alert(client, django_capture_on_commit_callbacks, query="q=loneliness")
    back_dated(alert)
    InnovationFactory(title="Potholes", summary="Roads.")

    report = digest_now()

    assert report.sent == 0
    assert report.nothing_new == 1
    assert mail.outbox == []
    alert.refresh_from_db()
    assert alert.covered_until > timezone.now()
    assert alert.last_sent_at is None


def test_a_digest_is_not_sent_twice_for_the_same_news(
    digest_now, client, django_capture_on_commit_callbacks
):
    alert = confirmed_alert(client, django_capture_on_commit_callbacks, query="")
    back_dated(alert)
    InnovationFactory(title="Something new")

    digest_now()
    assert len(mail.outbox) == 1
    back_dated(alert, days=0)  # even were it due again
    digest_now(timezone.now() + timedelta(days=2))

    assert len(mail.outbox) == 1


def test_a_digest_waits_for_its_day_unless_forced(
    digest_now, client, django_capture_on_commit_callbacks
):
    alert = confirmed_alert(
        client, django_capture_on_commit_callbacks, query="", frequency="weekly"
    )
    Alert.objects.filter(pk=alert.pk).update(covered_until=timezone.now() - timedelta(days=3))
    InnovationFactory(title="Something new", published_at=timezone.now() - timedelta(minutes=10))

    assert digest_now().sent == 0
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_alerts", "--force", stdout=out)

    assert len(mail.outbox) == 1
    assert "Sent 1 digest(s)" in out.getvalue()


def test_an_unconfirmed_alert_gets_nothing_even_forced(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, query="")
    mail.outbox.clear()
    InnovationFactory(title="Something new", published_at=timezone.now() - timedelta(minutes=10))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_alerts", "--force", stdout=StringIO())

    assert mail.outbox == []


def test_a_draft_is_never_in_a_digest(digest_now, client, django_capture_on_commit_callbacks):
    alert = confirmed_alert(client, django_capture_on_commit_callbacks, query="")
    back_dated(alert)
    InnovationFactory(title="Secret draft", draft=True)

    digest_now()

    assert mail.outbox == []


# --- Stopping


def test_every_digest_can_be_stopped_in_one_click_without_a_cookie(
    digest_now, client, django_capture_on_commit_callbacks
):
    alert = confirmed_alert(client, django_capture_on_commit_callbacks, query="")
    confirmed_alert(client, django_capture_on_commit_callbacks, query="q=housing")
    back_dated(alert)
    InnovationFactory(title="Something new")
    digest_now()
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert f"Stop all these emails: {url}" in message.body

    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(path_of(url), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert not Alert.objects.exists()
    InnovationFactory(title="Something newer", published_at=timezone.now() - timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_alerts", "--force", stdout=StringIO())
    assert len(mail.outbox) == 1


def test_the_link_under_an_alert_stops_that_alert_only(
    digest_now, client, django_capture_on_commit_callbacks
):
    first = confirmed_alert(client, django_capture_on_commit_callbacks, query="")
    confirmed_alert(client, django_capture_on_commit_callbacks, query="q=housing")
    back_dated(first)
    InnovationFactory(title="Something new")
    digest_now()
    stop = next(link for link in links(mail.outbox[0]) if "/alerts/stop/" in link)

    assert client.get(path_of(stop)).status_code == 200
    assert Alert.objects.count() == 2  # opening the link stops nothing
    client.post(path_of(stop))

    assert list(Alert.objects.values_list("query", flat=True)) == ["q=housing"]
    again = client.post(path_of(stop))
    assert again.status_code == 200
    assert "Already stopped" in again.content.decode()


def test_the_list_of_alerts_needs_no_account_and_stops_only_its_own(
    client, django_capture_on_commit_callbacks
):
    mine = confirmed_alert(client, django_capture_on_commit_callbacks, query="q=housing")
    theirs = confirmed_alert(
        client, django_capture_on_commit_callbacks, query="q=housing", email="alex@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/alerts/", {"email": "sam@example.org"})
    (message,) = mail.outbox
    manage = path_of(next(link for link in links(message) if "/alerts/manage/" in link))

    page = client.get(manage).content.decode()
    assert "“housing”" in page

    client.post(manage, {"stop": f"alert-{theirs.pk}"})  # someone else's, by its id
    assert Alert.objects.filter(pk=theirs.pk).exists()
    client.post(manage, {"stop": f"alert-{mine.pk}"})
    assert not Alert.objects.filter(pk=mine.pk).exists()


def test_asking_for_the_list_of_an_address_with_no_alerts_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/alerts/", {"email": "nobody@example.org"})

    assert response.status_code == 200
    assert "If that address has email alerts" in response.content.decode()
    assert mail.outbox == []


# --- What the security review found (each an attack, each refused)


def test_the_confirmation_email_carries_none_of_the_requesters_words(
    client, django_capture_on_commit_callbacks
):
    """Otherwise anyone could make the site mail a stranger a message of their own."""
    with django_capture_on_commit_callbacks(execute=True):
        ask(
            client,
            email="victim@example.org",
            query="q=x%0A%0AURGENT: sign in at https://evil.example/login&sector=PAY+NOW+https://evil.example/x",
        )

    (message,) = mail.outbox
    assert "evil" not in message.body
    assert "URGENT" not in message.body
    assert "PAY NOW" not in services.describe_query(Alert.objects.get().query)


def test_a_search_described_in_a_digest_is_one_short_line():
    described = services.describe_query("q=" + "long+" * 100 + "%0Aline")
    assert "\n" not in described
    assert len(described) < 90


def test_a_query_that_grows_past_its_limit_when_encoded_is_a_400_not_a_500(client):
    response = ask(client, query="sector=" + "é" * 1900)

    assert response.status_code == 400
    assert "query" in response.json()
    assert not Alert.objects.exists()


@pytest.mark.parametrize("stop", ["alert-²", "alert-" + "9" * 5000, "alert-", "nonsense"])
def test_the_list_of_alerts_refuses_a_malformed_choice_without_a_500(client, stop):
    Alert.objects.create(email="sam@example.org", query="", frequency="daily")
    manage = f"/alerts/manage/{services.manage_token('sam@example.org')}/"

    response = client.post(manage, {"stop": stop})

    assert response.status_code == 200
    assert Alert.objects.count() == 1


def test_a_tagged_address_gets_neither_the_list_nor_the_digest_of_the_untagged_one(
    client, digest_now, django_capture_on_commit_callbacks
):
    """On most mail servers boss+eve@ is not boss@: the +tag counts requests, not identity."""
    alert = confirmed_alert(
        client, django_capture_on_commit_callbacks, query="", email="boss@corp.example"
    )
    back_dated(alert)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/alerts/", {"email": "boss+eve@corp.example"})
    assert mail.outbox == []  # boss+eve has no alerts of its own
    InnovationFactory(title="Something new")

    digest_now()

    (digest,) = mail.outbox
    assert digest.to == ["boss@corp.example"]


def test_pages_holding_a_link_to_someones_alerts_are_never_cached(client):
    alert = Alert.objects.create(
        email="sam@example.org", query="", frequency="daily", confirmed_at=timezone.now()
    )
    for path in [
        f"/alerts/confirm/{services.signing.dumps(['alert', alert.pk], salt='alerts.confirm')}/",
        f"/alerts/manage/{services.manage_token('sam@example.org')}/",
        f"/alerts/stop/{services.stop_token(alert)}/",
        f"/alerts/unsubscribe/{services.stop_all_token('sam@example.org')}/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"], (
            path
        )


def test_unconfirmed_alerts_go_after_a_week_with_their_addresses():
    old = Alert.objects.create(email="stranger@example.org", query="", frequency="daily")
    Alert.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    recent = Alert.objects.create(email="new@example.org", query="", frequency="daily")
    kept = Alert.objects.create(
        email="sam@example.org", query="q=x", frequency="daily", confirmed_at=timezone.now()
    )
    Alert.objects.filter(pk=kept.pk).update(created_at=timezone.now() - timedelta(days=80))

    assert services.purge_unconfirmed(timezone.now()) == 1

    assert set(Alert.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}


def test_asking_again_gives_an_unconfirmed_alert_its_week_again(client):
    ask(client, query="")
    Alert.objects.update(created_at=timezone.now() - timedelta(days=6))
    ask(client, query="")

    assert services.purge_unconfirmed(timezone.now() + timedelta(days=2)) == 0


def test_a_daily_digest_comes_every_day_at_the_same_hour(
    client, django_capture_on_commit_callbacks
):
    """The hourly job: a daily alert is due once a day, neither an hour early each day nor
    skipped."""
    alert = confirmed_alert(client, django_capture_on_commit_callbacks, query="")
    start = alert.covered_until
    runs = [start + timedelta(hours=hour, minutes=5) for hour in range(1, 24 * 4)]
    due_at = []
    for run in runs:
        alert.refresh_from_db()
        if services.is_due(alert, run):
            due_at.append(run)
            Alert.objects.filter(pk=alert.pk).update(covered_until=run - services.SETTLE)
    gaps = {later - earlier for earlier, later in zip(due_at, due_at[1:], strict=False)}
    assert gaps == {timedelta(days=1)}


def test_a_sent_emails_unsubscribe_link_is_not_kept_in_the_outbox(
    client, digest_now, django_capture_on_commit_callbacks
):
    from kernel.models import OutgoingEmail

    alert = confirmed_alert(client, django_capture_on_commit_callbacks, query="")
    back_dated(alert)
    InnovationFactory(title="Something new")
    digest_now()

    digest = OutgoingEmail.objects.latest("created_at")
    assert digest.sent_at is not None
    assert digest.headers == {}
    assert digest.body == ""

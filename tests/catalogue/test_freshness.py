"""Freshness (catalogue/freshness.py): when an entry is due a review, owners asked once a year
by email to confirm it, the one-click link and what it refuses, curators' reviews in the admin,
and what the page and the API say."""

import datetime
import re
import time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalogue import freshness, services
from catalogue.admin import InnovationAdmin
from catalogue.models import Innovation, review_due_before
from kernel.models import OutgoingEmail
from portal.importing import import_catalogue
from tests.factories import InnovationFactory, UserFactory
from tests.html import elements, page, text

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
TODAY = timezone.localdate()
NOW = datetime.datetime.combine(TODAY, datetime.time(9), tzinfo=LONDON)


def a_year_before(day: datetime.date) -> datetime.date:
    return review_due_before(day)


@pytest.fixture
def owned(innovator):
    """A published entry of the innovator's, never reviewed."""
    innovation = InnovationFactory(title="Homeshare", slug="homeshare")
    innovation.owners.add(innovator)
    return innovation


def link_in(email: OutgoingEmail) -> str:
    """The confirmation link's path in an email."""
    found = re.search(r"http://testserver(/innovations/[^/\s]+/confirm/[^/\s]+/)", email.body)
    assert found, email.body
    return found.group(1)


def ask(now=NOW) -> freshness.AskReport:
    return freshness.ask_owners_to_review(now, absolute=lambda path: f"http://testserver{path}")


# -- The rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_reviewed_on", "due"),
    [
        (None, True),
        (a_year_before(TODAY), False),  # exactly twelve months ago
        (a_year_before(TODAY) - datetime.timedelta(days=1), True),  # twelve months and a day
        (a_year_before(TODAY) + datetime.timedelta(days=1), False),
        (TODAY, False),
    ],
)
def test_review_due_at_its_boundaries_in_sql_and_in_python(last_reviewed_on, due):
    innovation = InnovationFactory(last_reviewed_on=last_reviewed_on)
    assert innovation.review_due is due
    assert Innovation.objects.review_due(TODAY).filter(pk=innovation.pk).exists() is due
    assert Innovation.objects.review_due().filter(pk=innovation.pk).exists() is due


def test_a_year_before_29_february_is_28_february():
    assert review_due_before(datetime.date(2028, 2, 29)) == datetime.date(2027, 2, 28)
    assert review_due_before(datetime.date(2027, 3, 1)) == datetime.date(2026, 3, 1)


def test_due_entries_are_listed_never_reviewed_first_then_oldest():
    recent = InnovationFactory(last_reviewed_on=datetime.date(2024, 1, 1))
    older = InnovationFactory(last_reviewed_on=datetime.date(2020, 1, 1))
    never = InnovationFactory(last_reviewed_on=None)
    InnovationFactory(last_reviewed_on=TODAY)
    due = Innovation.objects.review_due(TODAY).oldest_review_first()
    assert list(due) == [never, older, recent]


# -- Asking the owners ------------------------------------------------------------------------


def test_each_owner_of_a_due_entry_is_emailed_a_link_of_their_own(owned, other_innovator):
    owned.owners.add(other_innovator)
    report = ask()
    assert (report.innovations, report.emails) == (1, 2)
    emails = OutgoingEmail.objects.order_by("to")
    assert [e.to for e in emails] == sorted([owned.owners.first().email, other_innovator.email])
    assert emails[0].subject == "Is Homeshare still up to date?"
    assert link_in(emails[0]) != link_in(emails[1])
    assert "http://testserver/innovations/homeshare/edit/" in emails[0].body
    owned.refresh_from_db()
    assert owned.review_requested_at == NOW


def test_asking_twice_the_same_day_sends_nothing_twice(owned):
    ask()
    assert ask(NOW + datetime.timedelta(hours=8)).emails == 0
    assert OutgoingEmail.objects.count() == 1


def test_owners_are_asked_again_a_year_later_not_before(owned):
    ask()
    assert ask(NOW + datetime.timedelta(days=364)).emails == 0
    assert ask(NOW + datetime.timedelta(days=365)).emails == 0  # the same date, a year on
    assert ask(NOW + datetime.timedelta(days=366)).emails == 1
    assert OutgoingEmail.objects.count() == 2


def test_only_published_entries_due_a_review_with_an_owner_are_asked(innovator):
    reviewed = InnovationFactory(last_reviewed_on=TODAY - datetime.timedelta(days=30))
    draft = InnovationFactory(draft=True)
    ownerless = InnovationFactory()
    gone = UserFactory(username="gone", is_active=False)
    left = InnovationFactory()
    for innovation in (reviewed, draft):
        innovation.owners.add(innovator)
    left.owners.add(gone)
    assert ownerless.owners.count() == 0
    assert ask().emails == 0


def test_the_email_lists_what_the_entry_lacks(owned):
    ask()
    body = OutgoingEmail.objects.get().body
    assert "What evidence there is" in body
    assert "works once, for 90 days" in body


def test_the_command_asks_the_owners(owned, capsys):
    call_command("ask_for_reviews")
    assert "Asked the owners of 1 innovation(s)" in capsys.readouterr().out
    call_command("ask_for_reviews")
    assert "Asked the owners of 0 innovation(s)" in capsys.readouterr().out
    assert OutgoingEmail.objects.count() == 1


# -- The link ---------------------------------------------------------------------------------


def test_the_link_shows_the_entry_and_only_the_button_confirms(client, owned):
    ask()
    path = link_in(OutgoingEmail.objects.get())
    response = client.get(path)
    assert response.status_code == 200
    assert "Is “Homeshare” still up to date?" in response.content.decode()
    owned.refresh_from_db()
    assert owned.last_reviewed_on is None  # opening the link confirms nothing


def test_the_link_confirms_once_without_signing_in(client, owned, innovator):
    ask()
    path = link_in(OutgoingEmail.objects.get())
    client.get(path)  # the CSRF cookie, as a browser gets it
    response = client.post(path)
    assert response.status_code == 200
    assert "Entry confirmed" in response.content.decode()
    owned.refresh_from_db()
    assert owned.last_reviewed_on == timezone.localdate()
    assert owned.confirmed_by_owners
    history = owned.audit.first()
    assert history.history_change_reason == freshness.CONFIRMED_BY_OWNER
    assert history.history_user == innovator
    again = client.post(path)
    assert again.status_code == 400
    assert "used already" in again.content.decode()
    assert client.get(path).status_code == 400


def test_the_confirmation_needs_its_csrf_token(owned):
    ask()
    path = link_in(OutgoingEmail.objects.get())
    response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 403
    owned.refresh_from_db()
    assert owned.last_reviewed_on is None


@pytest.mark.parametrize(
    "spoil",
    [
        lambda path: path.replace("/confirm/", "/confirm/x"),
        lambda path: path[:-3] + "AA/",
        lambda path: path.replace("/confirm/", "/confirm/%00"),
        lambda path: path.replace("/confirm/", "/confirm/" + "a" * 3000),
    ],
)
def test_a_changed_link_is_refused_with_a_clear_page(client, owned, spoil):
    ask()
    path = spoil(link_in(OutgoingEmail.objects.get()))
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    owned.refresh_from_db()
    assert owned.last_reviewed_on is None


def test_a_link_reached_at_another_address_is_for_the_entry_it_names(client, owned):
    ask()
    path = link_in(OutgoingEmail.objects.get())
    Innovation.objects.filter(pk=owned.pk).update(slug="homeshare-uk")
    moved = path.replace("/homeshare/", "/homeshare-uk/")
    assert client.get(path).url == moved
    assert client.get(moved).status_code == 200


def test_an_expired_link_is_refused(client, owned, innovator, monkeypatch):
    signed_at = time.time() - (freshness.REVIEW_LINK_DAYS + 1) * 86400
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: signed_at))
    token = freshness.review_token(owned, innovator)
    monkeypatch.undo()
    path = reverse("catalogue:confirm-current", args=[owned.slug, token])
    response = client.post(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_someone_no_longer_an_owner_cannot_confirm(client, owned, innovator):
    ask()
    path = link_in(OutgoingEmail.objects.get())
    owned.owners.remove(innovator)
    response = client.post(path)
    assert response.status_code == 400
    assert "no longer looks after" in response.content.decode()
    owned.refresh_from_db()
    assert owned.last_reviewed_on is None


def test_a_link_for_an_archived_entry_confirms_nothing(client, owned):
    ask()
    path = link_in(OutgoingEmail.objects.get())
    Innovation.objects.filter(pk=owned.pk).update(status="archived")
    assert client.post(path).status_code == 400


def test_a_token_for_someone_who_never_owned_it_is_refused(client, owned, other_innovator):
    token = freshness.review_token(owned, other_innovator)
    response = client.post(reverse("catalogue:confirm-current", args=[owned.slug, token]))
    assert response.status_code == 400


# -- From the entry's page --------------------------------------------------------------------


def test_an_owner_confirms_from_the_page(client, owned, innovator):
    client.force_login(innovator)
    response = client.post(reverse("catalogue:reviewed", args=[owned.slug]))
    assert response.status_code == 302
    owned.refresh_from_db()
    assert (owned.last_reviewed_on, owned.confirmed_by_owners) == (timezone.localdate(), True)


def test_someone_else_cannot_confirm_from_the_page(client, owned, other_innovator):
    client.force_login(other_innovator)
    assert client.post(reverse("catalogue:reviewed", args=[owned.slug])).status_code == 403
    owned.refresh_from_db()
    assert owned.last_reviewed_on is None
    with pytest.raises(PermissionDenied):
        freshness.confirm_current(owned, by=other_innovator)


def test_a_curator_on_the_page_marks_it_reviewed(curator_client, owned):
    curator_client.post(reverse("catalogue:reviewed", args=[owned.slug]))
    owned.refresh_from_db()
    assert (owned.last_reviewed_on, owned.confirmed_by_owners) == (timezone.localdate(), False)


def test_the_page_says_who_reviewed_it_last(client, owned):
    def said() -> str:
        return text(next(elements(page(client.get(owned.get_absolute_url())), "main")))

    assert "Not reviewed by a curator yet." in said()
    Innovation.objects.filter(pk=owned.pk).update(
        last_reviewed_on=datetime.date(2026, 3, 3), confirmed_by_owners=True
    )
    assert "Last confirmed by its owners on 3 March 2026." in said()
    Innovation.objects.filter(pk=owned.pk).update(confirmed_by_owners=False)
    assert "Last reviewed by a curator on 3 March 2026." in said()


def test_owners_see_that_a_review_is_due_and_the_button(client, owned, innovator):
    client.force_login(innovator)
    body = client.get(owned.get_absolute_url()).content.decode()
    assert "It is due a check" in body
    assert "Confirm it is up to date" in body


def test_publishing_is_a_curators_review(curator):
    draft = InnovationFactory(draft=True)
    services.publish(draft, by=curator)
    draft.refresh_from_db()
    assert (draft.last_reviewed_on, draft.confirmed_by_owners) == (timezone.localdate(), False)


# -- Curators in the admin --------------------------------------------------------------------


def test_the_admin_lists_entries_due_a_review_oldest_first(curator_client):
    recent = InnovationFactory(title="Recent", last_reviewed_on=TODAY - datetime.timedelta(days=3))
    old = InnovationFactory(title="Old", last_reviewed_on=datetime.date(2020, 5, 1))
    never = InnovationFactory(title="Never", last_reviewed_on=None)
    older = InnovationFactory(title="Older", last_reviewed_on=datetime.date(2019, 5, 1))
    response = curator_client.get(
        reverse("admin:catalogue_innovation_changelist") + "?review_due=yes"
    )
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [never, older, old]
    assert recent not in listed
    assert "Never" in response.content.decode()
    not_due = curator_client.get(
        reverse("admin:catalogue_innovation_changelist") + "?review_due=no"
    )
    assert list(not_due.context["cl"].result_list) == [recent]


def test_the_admin_home_counts_published_entries_due_a_review(curator_client):
    InnovationFactory(last_reviewed_on=None)
    InnovationFactory(last_reviewed_on=datetime.date(2020, 1, 1))
    InnovationFactory(last_reviewed_on=TODAY)
    InnovationFactory(draft=True)
    home = page(curator_client.get(reverse("admin:index")))
    table = next(elements(home, id="needs-attention"))
    [row] = [tr for tr in elements(table, "tr") if "due a review" in text(tr)]
    assert text(row).endswith("2")
    [link] = elements(row, "a")
    assert dict(link.attributes)["href"].endswith("?status__exact=published&review_due=yes")


def test_the_last_reviewed_column_sorts_never_reviewed_first(curator_client):
    recent = InnovationFactory(last_reviewed_on=TODAY)
    old = InnovationFactory(last_reviewed_on=datetime.date(2020, 5, 1))
    never = InnovationFactory(last_reviewed_on=None)
    url = reverse("admin:catalogue_innovation_changelist")
    column = str(InnovationAdmin.list_display.index("last_reviewed") + 1)
    ascending = curator_client.get(url, {"o": column})
    assert list(ascending.context["cl"].result_list) == [never, old, recent]
    descending = curator_client.get(url, {"o": f"-{column}"})
    assert list(descending.context["cl"].result_list) == [recent, old, never]


def test_the_admin_action_marks_entries_reviewed_and_audits_it(curator_client, curator):
    due = InnovationFactory(last_reviewed_on=None)
    response = curator_client.post(
        reverse("admin:catalogue_innovation_changelist"),
        {"action": "mark_reviewed_today", "_selected_action": [due.pk]},
    )
    assert response.status_code == 302
    due.refresh_from_db()
    assert (due.last_reviewed_on, due.confirmed_by_owners) == (timezone.localdate(), False)
    history = due.audit.first()
    assert history.history_change_reason == freshness.REVIEWED_BY_CURATOR
    assert history.history_user == curator
    assert not due.review_due


def test_only_curators_mark_reviewed(innovator, owned):
    with pytest.raises(PermissionDenied):
        freshness.mark_reviewed(owned, by=innovator)


# -- The API ----------------------------------------------------------------------------------


def test_the_api_says_when_it_was_reviewed_and_whether_it_is_due(client):
    due = InnovationFactory(slug="due", last_reviewed_on=datetime.date(2020, 1, 1))
    fresh = InnovationFactory(slug="fresh", last_reviewed_on=timezone.localdate())
    body = client.get(reverse("api:innovation-detail", args=[due.slug])).json()
    assert (body["last_reviewed_on"], body["review_due"]) == ("2020-01-01", True)
    body = client.get(reverse("api:innovation-detail", args=[fresh.slug])).json()
    assert body["review_due"] is False


def test_the_api_schema_describes_review_due(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    detail = schema["components"]["schemas"]["InnovationDetail"]["properties"]
    assert detail["review_due"]["type"] == "boolean"
    assert detail["last_reviewed_on"]["format"] == "date"


# -- The catalogue file -----------------------------------------------------------------------


def test_a_review_date_a_file_changes_is_a_curators(owned):
    Innovation.objects.filter(pk=owned.pk).update(
        last_reviewed_on=datetime.date(2026, 3, 3), confirmed_by_owners=True
    )

    def import_date(day: str) -> Innovation:
        record = {"title": "Homeshare", "slug": "homeshare", "summary": owned.summary}
        import_catalogue({"innovations": [{**record, "last_reviewed_on": day}]})
        return Innovation.objects.get(pk=owned.pk)

    assert import_date("2026-03-03").confirmed_by_owners  # the same date: still the owners'
    changed = import_date("2026-06-01")
    assert (changed.last_reviewed_on, changed.confirmed_by_owners) == (
        datetime.date(2026, 6, 1),
        False,
    )

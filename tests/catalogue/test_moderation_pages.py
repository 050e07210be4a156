"""Moderation on the pages people use: the owners' edit page, what the entry page and the
account page tell them, the admin's list of what waits and its review page, and the interest
panel's promise about who hears."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adopters import services as adopter_services
from catalogue import services
from catalogue.models import Innovation, InnovationRevision
from kernel.models import OutgoingEmail
from portal.attention import needs_attention
from tests.factories import (
    InnovationFactory,
    OrganisationFactory,
    RegistrationOfInterestFactory,
    SectorFactory,
    UserFactory,
    region,
)
from tests.html import assert_error_links_reach_inputs, elements, page, table_rows, text

pytestmark = pytest.mark.django_db


def edit_url(innovation: Innovation) -> str:
    return reverse("catalogue:edit", args=[innovation.slug])


def review_url(innovation: Innovation) -> str:
    return reverse("admin:catalogue_innovation_moderate", args=[innovation.pk])


@pytest.fixture
def health(db):
    return SectorFactory(name="Health")


@pytest.fixture
def complete(innovator, health):
    """A draft its owner filled in completely, as the submission form asks."""
    innovation = InnovationFactory(
        draft=True,
        title="Tea and talk",
        summary="Weekly tea mornings.",
        kind="service",
        stage="developing-testing",
        problem="Loneliness.",
        how_it_works="Volunteers host.",
        lead_organisation=OrganisationFactory(name="Tea Trust", kind="charity"),
    )
    innovation.sectors.add(health)
    innovation.owners.add(innovator)
    return innovation


def form_data(innovation: Innovation, **changes) -> dict:
    """What the edit form posts back for this innovation unchanged; `changes` replace fields."""
    data = {
        "title": innovation.title,
        "summary": innovation.summary,
        "kind": innovation.kind,
        "stage": innovation.stage,
        "problem": innovation.problem,
        "how_it_works": innovation.how_it_works,
        "organisation_name": innovation.lead_organisation.name,
        "organisation_kind": innovation.lead_organisation.kind,
        "sectors": [str(s.pk) for s in innovation.sectors.all()],
        "contact_email": innovation.contact_email,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# -- The owners' edit page --------------------------------------------------------------------


def test_the_edit_page_starts_from_the_entry(client, innovator, complete):
    client.force_login(innovator)
    response = client.get(edit_url(complete))
    assert response.status_code == 200
    root = page(response)
    assert dict(next(elements(root, "input", name="title")).attributes)["value"] == "Tea and talk"
    assert dict(next(elements(root, "input", name="organisation_name")).attributes)["value"] == (
        "Tea Trust"
    )
    assert not list(elements(root, "select", name="evidence_level"))
    assert not list(elements(root, "input", name="accurate"))


def test_errors_are_summarised_and_nothing_is_saved(client, innovator, complete):
    client.force_login(innovator)
    response = client.post(edit_url(complete), form_data(complete, title="", sectors=None))
    assert response.status_code == 400
    root = page(response)
    assert text(next(elements(root, "title"))).startswith("Error:")
    assert assert_error_links_reach_inputs(root) == ["#id_title", "#id_sectors_0"]
    complete.refresh_from_db()
    assert complete.title == "Tea and talk"


def test_a_draft_is_changed_at_once_and_sent_for_review(client, innovator, complete, curator):
    client.force_login(innovator)
    response = client.post(edit_url(complete), form_data(complete, summary="Better words."))
    assert response.status_code == 302
    complete.refresh_from_db()
    assert (complete.summary, complete.status) == ("Better words.", "draft")
    assert not OutgoingEmail.objects.exists()

    response = client.post(edit_url(complete), {**form_data(complete), "send": "1"}, follow=True)
    complete.refresh_from_db()
    assert complete.status == "submitted"
    assert "is with the curators for review" in response.content.decode()
    assert OutgoingEmail.objects.get().to == curator.email


def test_an_edit_of_a_published_entry_waits_and_the_form_shows_it(client, innovator, complete):
    services.publish(complete)
    client.force_login(innovator)
    response = client.post(
        edit_url(complete), form_data(complete, summary="Not reviewed yet."), follow=True
    )
    assert "Your changes are waiting for a curator" in response.content.decode()
    complete.refresh_from_db()
    assert complete.summary == "Weekly tea mornings."
    assert services.pending_revision(complete).changes == {"summary": "Not reviewed yet."}
    # The owner's page shows what waits; the form starts from it; the public sees neither.
    owner_view = response.content.decode()
    assert "Waiting for a curator" in owner_view
    assert "Not reviewed yet." in owner_view
    root = page(client.get(edit_url(complete)))
    assert next(elements(root, "textarea", name="summary")).children == ["Not reviewed yet."]
    public = Client().get(complete.get_absolute_url()).content.decode()
    assert "Not reviewed yet." not in public
    assert "Weekly tea mornings." in public


def test_naming_a_department_in_the_form_waits_for_a_curator(client, innovator, complete):
    OrganisationFactory(name="Department of Health", kind="central-government")
    client.force_login(innovator)
    client.post(edit_url(complete), form_data(complete, organisation_name="department of health"))
    complete.refresh_from_db()
    assert complete.lead_organisation.name == "Tea Trust"
    assert services.pending_revision(complete).changes["lead_organisation"]["name"] == (
        "Department of Health"
    )


def test_the_owner_withdraws_proposed_changes(client, innovator, complete):
    services.publish(complete)
    services.edit_innovation(complete, {"summary": "Hmm."}, by=innovator)
    client.force_login(innovator)
    response = client.post(reverse("catalogue:withdraw-changes", args=[complete.slug]))
    assert response.status_code == 302
    assert not InnovationRevision.objects.exists()


def test_who_may_open_the_edit_page(client, other_innovator, complete):
    assert client.get(edit_url(complete)).url.startswith(reverse("accounts:sign-in"))
    client.force_login(other_innovator)
    assert client.get(edit_url(complete)).status_code == 404  # a draft of someone else's
    services.publish(complete)
    assert client.get(edit_url(complete)).status_code == 403
    assert client.post(edit_url(complete), form_data(complete, title="Mine")).status_code == 403
    response = client.post(reverse("catalogue:withdraw-changes", args=[complete.slug]))
    assert response.status_code == 403
    complete.refresh_from_db()
    assert complete.title == "Tea and talk"


def test_the_edit_form_needs_the_csrf_token(innovator, complete):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(innovator)
    response = browser.post(edit_url(complete), form_data(complete, title="Forged"))
    assert response.status_code == 403
    complete.refresh_from_db()
    assert complete.title == "Tea and talk"


def test_the_edit_page_takes_a_fixed_number_of_queries(
    client, innovator, complete, django_assert_num_queries
):
    services.publish(complete)
    services.edit_innovation(complete, {"summary": "Proposed."}, by=innovator)
    client.force_login(innovator)
    client.get(edit_url(complete))
    # The session and user; the innovation and whether they may edit it; the waiting revision;
    # the entry's lead organisation and relations (sectors, groups, regions); the choices of
    # each list (regions, sectors, groups); what the entry lacks (catalogue.completeness).
    with django_assert_num_queries(13):
        assert client.get(edit_url(complete)).status_code == 200


# -- What the owners are told on their pages --------------------------------------------------


def your_innovations(client) -> list[list[str]]:
    """The rows of the account page's table of the innovations one owns."""
    root = page(client.get(reverse("accounts:dashboard")))
    section = next(elements(root, "section", aria_labelledby="your-innovations"))
    return [
        [text(cell) for cell in row.children if hasattr(cell, "name")]
        for row in elements(next(elements(section, "tbody")), "tr")
    ]


def test_the_entry_and_account_pages_say_why_it_was_sent_back(client, innovator, complete, curator):
    services.submit(complete, by=innovator)
    services.return_to_draft(complete, by=curator, reason="Tell us where it runs.")
    client.force_login(innovator)
    entry = client.get(complete.get_absolute_url()).content.decode()
    assert "Sent back" in entry
    assert "Tell us where it runs." in entry
    [row] = your_innovations(client)
    assert row[:2] == ["Tea and talk", "Sent back Tell us where it runs."]


def test_the_account_page_says_changes_wait_and_takes_fixed_queries(
    client, innovator, complete, django_assert_max_num_queries
):
    services.publish(complete)
    services.edit_innovation(complete, {"summary": "Proposed."}, by=innovator)
    for n in range(3):
        other = InnovationFactory(title=f"Other {n}")
        other.owners.add(innovator)
        services.edit_innovation(other, {"summary": f"Proposed {n}."}, by=innovator)
    client.force_login(innovator)
    rows = your_innovations(client)
    assert len(rows) == 4
    assert all("Changes waiting for a curator since" in row[1] for row in rows), rows
    # One for every innovation's latest proposal, one for the API token the page lists.
    with django_assert_max_num_queries(7):
        client.get(reverse("accounts:dashboard"))


def test_the_entry_page_as_owner_takes_a_fixed_number_of_queries(
    client, innovator, complete, django_assert_max_num_queries
):
    services.publish(complete)
    services.edit_innovation(complete, {"summary": "Proposed.", "sectors": []}, by=innovator)
    client.force_login(innovator)
    client.get(complete.get_absolute_url())
    # The owners' panels add three: can_edit, the revision, how complete it is.
    with django_assert_max_num_queries(17):
        assert client.get(complete.get_absolute_url()).status_code == 200


# -- The admin --------------------------------------------------------------------------------


def waited(innovation: Innovation, days: int) -> None:
    Innovation.objects.filter(pk=innovation.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_the_admin_home_lists_what_waits_oldest_first(curator_client, innovator):
    newer = InnovationFactory(draft=True, title="Newer submission")
    older = InnovationFactory(draft=True, title="Older submission")
    live = InnovationFactory(title="Live entry")
    live.owners.add(innovator)
    for innovation in (newer, older):
        services.submit(innovation)
    waited(newer, 1)
    waited(older, 5)
    services.edit_innovation(live, {"summary": "Proposed."}, by=innovator)
    InnovationRevision.objects.update(proposed_at=timezone.now() - datetime.timedelta(days=3))

    root = page(curator_client.get(reverse("admin:index")))
    rows = [row[:2] for row in table_rows(root, "Waiting for a curator (3)")]
    assert rows == [
        ["Older submission", "Submitted for review"],
        ["Live entry", "Proposed changes"],
        ["Newer submission", "Submitted for review"],
    ]


def test_the_admin_home_takes_two_queries_for_what_waits(curator_client, django_assert_num_queries):
    for n in range(5):
        services.submit(InnovationFactory(draft=True, title=f"Waiting {n}"))
    curator_client.get(reverse("admin:index"))
    counted = len(needs_attention())  # one count each (tests/test_attention.py)
    # The session and user, the admin's log, and two for what waits (submissions, proposals).
    with django_assert_num_queries(5 + counted):
        curator_client.get(reverse("admin:index"))


def seen(innovation: Innovation) -> dict[str, str]:
    """What the review page holds a decision on the entry to: the entry as it was read."""
    innovation.refresh_from_db()
    return {"entry-seen": innovation.updated_at.isoformat()}


def test_an_entry_changed_since_the_page_was_read_is_not_decided(
    curator_client, innovator, complete
):
    services.submit(complete, by=innovator)
    read = seen(complete)
    services.edit_innovation(complete, {"summary": "Changed meanwhile."}, by=innovator)
    refused = curator_client.post(review_url(complete), {"entry-decision": "published", **read})
    assert refused.status_code == 400
    assert "changed since this page was opened" in refused.content.decode()
    complete.refresh_from_db()
    assert complete.status == "submitted"


def test_sending_back_in_the_admin_needs_a_reason(curator_client, innovator, complete):
    services.submit(complete, by=innovator)
    refused = curator_client.post(
        review_url(complete), {"entry-decision": "draft", **seen(complete)}
    )
    assert refused.status_code == 400
    assert "Say why you are sending it back" in refused.content.decode()
    complete.refresh_from_db()
    assert complete.status == "submitted"

    done = curator_client.post(
        review_url(complete),
        {"entry-decision": "draft", "entry-reason": "Add what it costs.", **seen(complete)},
    )
    assert done.status_code == 302
    complete.refresh_from_db()
    assert (complete.status, complete.moderation_note) == ("draft", "Add what it costs.")
    assert "Add what it costs." in OutgoingEmail.objects.get(to=innovator.email).body


def test_publishing_from_the_review_page(curator_client, innovator, complete):
    services.submit(complete, by=innovator)
    curator_client.post(review_url(complete), {"entry-decision": "published", **seen(complete)})
    complete.refresh_from_db()
    assert complete.status == "published"
    assert OutgoingEmail.objects.filter(
        to=innovator.email, subject__startswith="Published"
    ).exists()


def test_the_review_page_compares_and_accepts_changes(curator_client, innovator, complete):
    services.publish(complete)
    services.edit_innovation(complete, {"summary": "Sharper summary."}, by=innovator)
    response = curator_client.get(review_url(complete))
    assert response.status_code == 200
    root = page(response)
    rows = table_rows(root, "Each field proposed, with what the entry says now")
    assert rows == [["Summary", "Weekly tea mornings.", "Sharper summary."]]

    curator_client.post(
        review_url(complete),
        {"revision-decision": "accept", "revision-version": "1", "revision-reason": ""},
    )
    complete.refresh_from_db()
    assert complete.summary == "Sharper summary."


def test_returning_changes_in_the_admin_needs_a_reason(curator_client, innovator, complete):
    services.publish(complete)
    services.edit_innovation(complete, {"summary": "Overstated."}, by=innovator)
    refused = curator_client.post(
        review_url(complete), {"revision-decision": "return", "revision-version": "1"}
    )
    assert refused.status_code == 400
    assert services.pending_revision(complete) is not None
    curator_client.post(
        review_url(complete),
        {"revision-decision": "return", "revision-version": "1", "revision-reason": "Source?"},
    )
    assert InnovationRevision.objects.get().status == "returned"


def test_a_proposal_changed_since_the_page_was_read_is_not_decided(
    curator_client, innovator, complete
):
    services.publish(complete)
    services.edit_innovation(complete, {"summary": "One."}, by=innovator)
    services.edit_innovation(complete, {"summary": "Two."}, by=innovator)
    response = curator_client.post(
        review_url(complete), {"revision-decision": "accept", "revision-version": "1"}
    )
    assert response.status_code == 400
    assert "changed the proposal" in response.content.decode()
    complete.refresh_from_db()
    assert complete.summary == "Weekly tea mornings."


def test_the_review_page_is_for_curators_only(client, innovator, complete):
    client.force_login(innovator)
    response = client.post(review_url(complete), {"entry-decision": "published"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    complete.refresh_from_db()
    assert complete.status == "draft"


def test_the_review_page_takes_a_fixed_number_of_queries(
    curator_client, innovator, complete, django_assert_num_queries
):
    services.publish(complete)
    services.edit_innovation(
        complete, {"summary": "S.", "sectors": [], "regions": [region("wales")]}, by=innovator
    )
    curator_client.get(review_url(complete))
    # The session and user; the innovation with its vocabularies, regions, partners and
    # owners; the waiting revision; its fields now (sectors, regions); the organisations to
    # check.
    with django_assert_num_queries(11):
        curator_client.get(review_url(complete))


# -- Who hears of interest --------------------------------------------------------------------


def test_an_entry_without_a_team_says_the_curators_pass_interest_on(client, curator, settings):
    settings.CURATOR_EMAILS = ["curators@catalogue.example"]
    orphan = InnovationFactory(title="Found in a report", contact_email="")
    content = client.get(orphan.get_absolute_url()).content.decode()
    assert "curators will pass your message on" in content

    form = client.get(reverse("adopters:register", args=[orphan.slug])).content.decode()
    assert "the catalogue's curators will pass your message on" in form
    registration = RegistrationOfInterestFactory(innovation=orphan)
    adopter_services.confirm_registration(registration, absolute=lambda path: path)
    assert [e.to for e in OutgoingEmail.objects.filter(subject__startswith="New interest")] == [
        "curators@catalogue.example"
    ]


def test_an_entry_with_a_team_promises_the_team(client, innovator):
    owned = InnovationFactory(title="Has a team", contact_email="")
    owned.owners.add(innovator)
    content = client.get(owned.get_absolute_url()).content.decode()
    assert "the team behind it will hear from you" in content
    assert "curators will pass your message on" not in content
    form = client.get(reverse("adopters:register", args=[owned.slug])).content.decode()
    assert "Once you confirm, the team hears from us" in form
    inactive = UserFactory(username="left", is_active=False)
    alone = InnovationFactory(title="Owner left", contact_email="")
    alone.owners.add(inactive)
    assert (
        "curators will pass your message on"
        in client.get(alone.get_absolute_url()).content.decode()
    )

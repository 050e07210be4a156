"""Curated facts: what the public sees of an innovation is what a curator reviewed. An owner's
changes to a published entry wait as a proposed revision until a curator accepts or returns
them; the evidence level is the curators' alone; naming an organisation the owner has no link
to waits for a curator even on a draft; every decision is emailed and kept in the audit
history (catalogue.services)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalogue import services
from catalogue.models import Innovation, InnovationRevision, Organisation
from catalogue.services import ModerationError, NamedOrganisation
from kernel.models import OutgoingEmail
from tests.factories import (
    InnovationFactory,
    OrganisationFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INNOVATIONS = "/api/v1/innovations/"


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def emails_to(address: str) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(to=address).order_by("pk"))


@pytest.fixture
def live(innovator):
    """A published innovation that the innovator owns, as a curator reviewed it."""
    innovation = InnovationFactory(
        title="Shared reading",
        summary="Reviewed summary.",
        contact_email="team@reading.example",
        evidence_level=2,
        lead_organisation=OrganisationFactory(name="The Reader"),
    )
    innovation.owners.add(innovator)
    return innovation


@pytest.fixture
def department(db):
    """An organisation in the catalogue that nothing of the innovator's names."""
    return OrganisationFactory(name="Department for Education", kind="central-government")


# -- An owner's changes to a published entry wait --------------------------------------------


def test_an_owners_api_edit_of_a_published_entry_waits_for_a_curator(client, innovator, live):
    client.force_login(innovator)
    response = patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "Unreviewed claim."})

    assert response.status_code == 202, response.json()
    assert response.json()["summary"] == "Reviewed summary."
    revision = response.json()["review"]["revision"]
    assert (revision["status"], revision["changes"]) == (
        "pending",
        {"summary": "Unreviewed claim."},
    )
    # The public sees what a curator reviewed, on the API and the page, and nothing pending.
    client.logout()
    public = client.get(f"{INNOVATIONS}{live.slug}/").json()
    assert (public["summary"], public["review"]) == ("Reviewed summary.", None)
    assert "Unreviewed claim." not in client.get(live.get_absolute_url()).content.decode()
    live.refresh_from_db()
    assert live.summary == "Reviewed summary."
    assert InnovationRevision.objects.pending().get().proposed_by == innovator


def test_a_further_proposal_updates_the_one_waiting(client, innovator, live):
    client.force_login(innovator)
    url = f"{INNOVATIONS}{live.slug}/"
    patch(client, url, {"summary": "First try."})
    patch(client, url, {"summary": "Second try.", "outcomes": "More people read."})

    revision = InnovationRevision.objects.get()
    assert revision.changes == {"summary": "Second try.", "outcomes": "More people read."}
    assert (revision.status, revision.version) == ("pending", 2)
    # Proposing what the entry says already takes that field out of the proposal.
    patch(client, url, {"summary": "Reviewed summary."})
    revision.refresh_from_db()
    assert revision.changes == {"outcomes": "More people read."}


def test_an_edit_that_changes_nothing_proposes_nothing(client, innovator, live):
    client.force_login(innovator)
    response = patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "Reviewed summary."})
    assert response.status_code == 200
    assert not InnovationRevision.objects.exists()


def test_curators_are_emailed_when_changes_are_proposed(client, innovator, live, curator):
    client.force_login(innovator)
    patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "New words."})
    [email] = emails_to(curator.email)
    assert email.subject == "Proposed changes to review: Shared reading"
    assert f"/admin/catalogue/innovation/{live.pk}/moderate/" in email.body
    # A further change to the same proposal does not email again.
    patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "Newer words."})
    assert len(emails_to(curator.email)) == 1


def test_the_curator_list_comes_from_the_setting_when_set(innovator, live, curator, settings):
    settings.CURATOR_EMAILS = ["moderation@catalogue.example"]
    services.edit_innovation(live, {"summary": "New words."}, by=innovator)
    assert [e.subject for e in emails_to("moderation@catalogue.example")] == [
        "Proposed changes to review: Shared reading"
    ]
    assert emails_to(curator.email) == []


def test_accepting_applies_the_changes_and_tells_the_owner(innovator, live, curator):
    sector = SectorFactory(name="Libraries")
    services.edit_innovation(
        live, {"summary": "Accepted words.", "sectors": [sector]}, by=innovator
    )
    revision = services.pending_revision(live)

    services.accept_revision(revision, by=curator, reason="Checked against the report.")

    live.refresh_from_db()
    assert live.summary == "Accepted words."
    assert [s.name for s in live.sectors.all()] == ["Libraries"]
    revision.refresh_from_db()
    assert (revision.status, revision.decided_by, revision.reason) == (
        "accepted",
        curator,
        "Checked against the report.",
    )
    [email] = emails_to(innovator.email)
    assert email.subject == "Your changes to Shared reading are accepted"
    assert "Checked against the report." in email.body
    # Who accepted what, when and why is in the audit history of the innovation.
    latest = live.audit.latest()
    assert (latest.summary, latest.history_user, latest.history_change_reason) == (
        "Accepted words.",
        curator,
        "Proposed changes accepted: Checked against the report.",
    )


def test_a_new_organisation_proposed_is_added_only_when_accepted(innovator, live, curator):
    services.edit_innovation(
        live,
        {"lead_organisation": NamedOrganisation("Readers Together", kind="charity")},
        by=innovator,
    )
    assert not Organisation.objects.filter(name="Readers Together").exists()
    services.accept_revision(services.pending_revision(live), by=curator)
    live.refresh_from_db()
    assert (live.lead_organisation.name, live.lead_organisation.kind) == (
        "Readers Together",
        "charity",
    )


def test_returning_needs_a_reason_emails_it_and_keeps_the_public_version(
    client, innovator, live, curator
):
    client.force_login(innovator)
    patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "Overstated."})
    revision = services.pending_revision(live)

    with pytest.raises(ValidationError) as refused:
        services.return_revision(revision, by=curator, reason="  ")
    assert "reason" in refused.value.message_dict
    services.return_revision(revision, by=curator, reason="The report says 40 groups, not 400.")

    live.refresh_from_db()
    assert live.summary == "Reviewed summary."
    [email] = emails_to(innovator.email)
    assert email.subject == "Your changes to Shared reading were returned"
    assert "The report says 40 groups, not 400." in email.body
    # The owner sees the decision and why, in the API and on the page.
    review = client.get(f"{INNOVATIONS}{live.slug}/").json()["review"]["revision"]
    assert (review["status"], review["reason"]) == (
        "returned",
        "The report says 40 groups, not 400.",
    )
    assert (
        "The report says 40 groups, not 400."
        in client.get(live.get_absolute_url()).content.decode()
    )
    history = revision.audit.latest()
    assert (history.status, history.history_user, history.history_change_reason) == (
        "returned",
        curator,
        "Returned: The report says 40 groups, not 400.",
    )


def test_a_decision_is_made_once_and_on_the_version_read(innovator, live, curator):
    services.edit_innovation(live, {"summary": "One."}, by=innovator)
    revision = services.pending_revision(live)
    services.edit_innovation(live, {"outcomes": "Two."}, by=innovator)
    with pytest.raises(ModerationError, match="changed the proposal"):
        services.accept_revision(revision, by=curator, version=1)
    services.accept_revision(revision, by=curator, version=2)
    with pytest.raises(ModerationError, match="accepted already"):
        services.return_revision(revision, by=curator, reason="Too late")


def test_only_curators_decide_on_proposed_changes(innovator, other_innovator, live):
    services.edit_innovation(live, {"summary": "Self-approved?"}, by=innovator)
    revision = services.pending_revision(live)
    for someone in (innovator, other_innovator):
        with pytest.raises(PermissionDenied):
            services.accept_revision(revision, by=someone)
        with pytest.raises(PermissionDenied):
            services.return_revision(revision, by=someone, reason="No")
    live.refresh_from_db()
    assert live.summary == "Reviewed summary."


def test_an_owner_withdraws_their_proposal_and_no_one_else_can(innovator, other_innovator, live):
    services.edit_innovation(live, {"summary": "Second thoughts."}, by=innovator)
    revision = services.pending_revision(live)
    with pytest.raises(PermissionDenied):
        services.withdraw_revision(revision, by=other_innovator)
    services.withdraw_revision(revision, by=innovator)
    assert not InnovationRevision.objects.exists()


def test_other_people_cannot_propose_changes_to_an_entry(client, other_innovator, live):
    assert patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "Anon"}).status_code == 403
    client.force_login(other_innovator)
    assert patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "Mine"}).status_code == 403
    assert client.get(f"{INNOVATIONS}{live.slug}/").json()["review"] is None
    assert not InnovationRevision.objects.exists()


def test_a_curators_edit_is_public_at_once(client, curator, live):
    client.force_login(curator)
    response = patch(client, f"{INNOVATIONS}{live.slug}/", {"summary": "Curated."})
    assert response.status_code == 200
    assert response.json()["summary"] == "Curated."
    assert not InnovationRevision.objects.exists()


def test_drafts_are_still_edited_directly(client, innovator, own_draft):
    client.force_login(innovator)
    response = patch(client, f"{INNOVATIONS}{own_draft.slug}/", {"summary": "Straight in."})
    assert response.status_code == 200
    assert response.json()["summary"] == "Straight in."
    assert not InnovationRevision.objects.exists()


# -- Curated facts ----------------------------------------------------------------------------


def test_an_owner_cannot_set_the_evidence_level(client, innovator, live, own_draft):
    client.force_login(innovator)
    for url in (f"{INNOVATIONS}{live.slug}/", f"{INNOVATIONS}{own_draft.slug}/"):
        response = patch(client, url, {"evidence_level": 5})
        assert response.status_code == 400
        assert "Only curators set the evidence level" in response.json()["evidence_level"][0]
    created = post(client, INNOVATIONS, {"title": "T", "summary": "S", "evidence_level": 4})
    assert created.status_code == 400
    assert "evidence_level" in created.json()
    live.refresh_from_db()
    own_draft.refresh_from_db()
    assert (live.evidence_level, own_draft.evidence_level) == (2, None)
    assert not InnovationRevision.objects.exists()
    assert not Innovation.objects.filter(title="T").exists()


def test_an_owner_may_send_the_evidence_level_back_unchanged(client, innovator, live):
    client.force_login(innovator)
    detail = client.get(f"{INNOVATIONS}{live.slug}/").json()
    response = patch(
        client, f"{INNOVATIONS}{live.slug}/", {"evidence_level": detail["evidence_level"]}
    )
    assert response.status_code == 200


def test_a_curator_sets_the_evidence_level(client, curator, live):
    client.force_login(curator)
    assert (
        patch(client, f"{INNOVATIONS}{live.slug}/", {"evidence_level": 3}).json()["evidence_level"]
        == 3
    )


def test_changing_the_contact_email_of_a_published_entry_needs_a_curator(
    client, innovator, live, curator
):
    client.force_login(innovator)
    response = patch(
        client, f"{INNOVATIONS}{live.slug}/", {"contact_email": "someone-else@example.net"}
    )
    assert response.status_code == 202
    live.refresh_from_db()
    assert live.contact_email == "team@reading.example"
    assert client.get(f"{INNOVATIONS}{live.slug}/").json()["contact_email"] == (
        "team@reading.example"
    )
    services.accept_revision(services.pending_revision(live), by=curator)
    live.refresh_from_db()
    assert live.contact_email == "someone-else@example.net"


def test_an_owner_cannot_make_a_department_lead_a_draft_without_a_curator(
    client, innovator, own_draft, department, curator
):
    before = own_draft.lead_organisation
    client.force_login(innovator)
    response = patch(
        client,
        f"{INNOVATIONS}{own_draft.slug}/",
        {"lead_organisation": department.slug, "summary": "Written at once."},
    )
    assert response.status_code == 202, response.json()
    own_draft.refresh_from_db()
    # The summary is the owner's to write on a draft; the department's name waits.
    assert own_draft.summary == "Written at once."
    assert own_draft.lead_organisation == before
    revision = services.pending_revision(own_draft)
    assert revision.changes == {
        "lead_organisation": {"slug": department.slug, "name": "Department for Education"}
    }
    assert services.organisations_to_check(revision) == [department]
    services.accept_revision(revision, by=curator)
    own_draft.refresh_from_db()
    assert own_draft.lead_organisation == department


def test_an_owner_cannot_add_a_department_as_partner_without_a_curator(
    client, innovator, own_draft, department
):
    client.force_login(innovator)
    response = patch(client, f"{INNOVATIONS}{own_draft.slug}/", {"partners": [department.slug]})
    assert response.status_code == 202
    assert list(own_draft.partners.all()) == []
    assert services.pending_revision(own_draft).changes["partners"] == [
        {"slug": department.slug, "name": "Department for Education"}
    ]


def test_a_new_innovation_naming_a_department_waits_for_a_curator(client, innovator, department):
    client.force_login(innovator)
    response = post(
        client,
        INNOVATIONS,
        {"title": "Claimed", "summary": "S", "lead_organisation": department.slug},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["lead_organisation"] is None
    innovation = Innovation.objects.get(slug="claimed")
    assert services.pending_revision(innovation).changes["lead_organisation"]["slug"] == (
        department.slug
    )


def test_an_owner_names_a_new_organisation_or_one_their_entries_name(
    client, innovator, own_draft, live
):
    """A name new to the catalogue claims nobody's name; an organisation that another of the
    owner's entries names (as a curator accepted it) is theirs to name again."""
    client.force_login(innovator)
    assert (
        patch(client, f"{INNOVATIONS}{own_draft.slug}/", {"partners": ["the-reader"]}).status_code
        == 200
    )
    assert [p.name for p in own_draft.partners.all()] == ["The Reader"]
    services.edit_innovation(
        own_draft,
        {"lead_organisation": NamedOrganisation("Brand New Collective", kind="community-group")},
        by=innovator,
    )
    own_draft.refresh_from_db()
    assert own_draft.lead_organisation.name == "Brand New Collective"
    assert not InnovationRevision.objects.exists()


def test_writing_a_field_directly_replaces_what_was_proposed_for_it(
    innovator, own_draft, department
):
    services.edit_innovation(
        own_draft, {"lead_organisation": NamedOrganisation(department.name)}, by=innovator
    )
    assert services.pending_revision(own_draft) is not None
    services.edit_innovation(
        own_draft,
        {"lead_organisation": NamedOrganisation("Our Own Trust", kind="charity")},
        by=innovator,
    )
    assert services.pending_revision(own_draft) is None
    own_draft.refresh_from_db()
    assert own_draft.lead_organisation.name == "Our Own Trust"


# -- Moderation people can follow ------------------------------------------------------------


def test_curators_are_emailed_of_a_submission(innovator, own_draft, curator):
    UserFactory(username="retired-curator", is_staff=True, is_active=False)
    services.submit(own_draft, by=innovator)
    [email] = OutgoingEmail.objects.all()
    assert (email.to, email.subject) == (curator.email, "Submitted for review: My draft idea")
    assert f"/admin/catalogue/innovation/{own_draft.pk}/moderate/" in email.body


def test_sending_back_needs_a_reason_which_the_owners_are_told(
    client, innovator, own_draft, curator
):
    services.submit(own_draft, by=innovator)
    OutgoingEmail.objects.all().delete()
    with pytest.raises(ValidationError) as refused:
        services.return_to_draft(own_draft, by=curator)
    assert "reason" in refused.value.message_dict
    own_draft.refresh_from_db()
    assert own_draft.status == "submitted"

    services.return_to_draft(own_draft, by=curator, reason="Say where it has run so far.")

    own_draft.refresh_from_db()
    assert (own_draft.status, own_draft.moderation_note) == (
        "draft",
        "Say where it has run so far.",
    )
    [email] = emails_to(innovator.email)
    assert email.subject == "Sent back to you: My draft idea"
    assert "Say where it has run so far." in email.body
    assert f"/innovations/{own_draft.slug}/edit/" in email.body
    row = own_draft.audit.latest()
    assert (row.history_user, row.history_change_reason, row.moderation_note) == (
        curator,
        "Returned to draft: Say where it has run so far.",
        "Say where it has run so far.",
    )
    client.force_login(innovator)
    assert (
        "Say where it has run so far." in client.get(own_draft.get_absolute_url()).content.decode()
    )


def test_a_curator_sending_back_through_the_api_gives_a_reason(client, curator, own_draft):
    services.submit(own_draft)
    client.force_login(curator)
    url = f"{INNOVATIONS}{own_draft.slug}/"
    refused = patch(client, url, {"status": "draft"})
    assert refused.status_code == 400
    assert "reason" in refused.json()
    answer = patch(client, url, {"status": "draft", "reason": "Add the evidence."})
    assert answer.status_code == 200
    assert answer.json()["review"]["note"] == "Add the evidence."


def test_an_owner_takes_back_their_own_submission_without_a_reason(innovator, own_draft):
    services.submit(own_draft, by=innovator)
    services.move(own_draft, "draft", by=innovator)
    assert own_draft.status == "draft"


def test_publishing_tells_the_owners(innovator, own_draft, curator):
    services.publish(own_draft, by=curator, reason="Thank you: a clear entry.")
    [email] = emails_to(innovator.email)
    assert email.subject == "Published: My draft idea"
    assert "Thank you: a clear entry." in email.body


def test_a_catalogue_file_moves_entries_without_emailing_anyone(own_draft, curator):
    services.set_status(own_draft, "submitted")
    services.set_status(own_draft, "published")
    assert not OutgoingEmail.objects.exists()


def test_what_waits_is_listed_longest_waiting_first(innovator, live, own_draft):
    older = InnovationFactory(draft=True, title="Older submission")
    older.owners.add(innovator)
    services.submit(older, by=innovator)
    services.edit_innovation(live, {"summary": "Proposed."}, by=innovator)
    services.submit(own_draft, by=innovator)
    assert [(w.innovation.title, w.what) for w in services.waiting_for_curators()] == [
        ("Older submission", "Submitted for review"),
        ("Shared reading", "Proposed changes"),
        ("My draft idea", "Submitted for review"),
    ]

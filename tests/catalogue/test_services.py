"""The catalogue's rules, called as the form, the API, the admin and the importer call them:
who edits an innovation, adding and editing one, naming its organisation, and setting its
status where a catalogue file says."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue import services
from catalogue.models import Innovation, Organisation
from catalogue.services import ModerationError, NamedOrganisation
from catalogue.signals import innovation_published
from networks.models import Network
from tests.factories import (
    BeneficiaryGroupFactory,
    InnovationFactory,
    OrganisationFactory,
    ScalingRouteFactory,
    SectorFactory,
    UserFactory,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_signals():
    """The innovations announced as published while the test runs, by slug."""
    heard: list[str] = []

    def receiver(innovation, **kwargs):
        heard.append(innovation.slug)

    innovation_published.connect(receiver, dispatch_uid="test-services-published")
    yield heard
    innovation_published.disconnect(dispatch_uid="test-services-published")


# -- Who edits --------------------------------------------------------------------------------


def test_owners_and_curators_edit_and_nobody_else(innovator, other_innovator, curator, own_draft):
    someone_elses = InnovationFactory()
    assert services.can_edit(innovator, own_draft)
    assert services.can_edit(curator, own_draft)
    assert not services.can_edit(other_innovator, own_draft)
    assert not services.can_edit(AnonymousUser(), own_draft)
    assert not services.can_edit(innovator, someone_elses)


def test_editable_by_lists_what_can_edit_allows(innovator, other_innovator, curator, own_draft):
    published = InnovationFactory()
    for user in (innovator, other_innovator, curator, AnonymousUser()):
        listed = set(Innovation.objects.editable_by(user))
        assert listed == {i for i in (own_draft, published) if services.can_edit(user, i)}
    assert set(Innovation.objects.editable_by(curator)) == {own_draft, published}


def test_with_vocabularies_reads_a_fixed_number_of_queries_in_order():
    def queries_for_all() -> int:
        with CaptureQueriesContext(connection) as captured:
            for innovation in Innovation.objects.with_vocabularies():
                _ = innovation.lead_organisation.name
                names = [s.name for s in innovation.sectors.all()]
                assert names == sorted(names)
                list(innovation.beneficiaries.all())
                list(innovation.scaling_routes.all())
                positions = [r.position for r in innovation.regions.all()]
                assert positions == sorted(positions)
        return len(captured)

    def one() -> None:
        innovation = InnovationFactory()
        innovation.sectors.set([SectorFactory(name="Zoos"), SectorFactory(name="Arts")])
        innovation.beneficiaries.set([BeneficiaryGroupFactory()])
        innovation.scaling_routes.set([ScalingRouteFactory()])
        innovation.regions.set([region("wales"), region("london")])

    one()
    few = queries_for_all()
    for _ in range(3):
        one()
    assert queries_for_all() == few == 5


# -- Adding -----------------------------------------------------------------------------------


def values(**changes):
    return {
        "title": "Shared reading",
        "summary": "People read aloud together.",
        "problem": "Loneliness.",
        "sectors": [SectorFactory(name="Health")],
        "regions": [region("wales")],
        "scaling_ways": ["out"],
        **changes,
    }


def test_a_new_innovation_is_a_draft_owned_by_whoever_adds_it(innovator):
    innovation = services.create_innovation(values(), by=innovator)

    innovation.refresh_from_db()
    assert (innovation.status, innovation.slug, innovation.title) == (
        "draft",
        "shared-reading",
        "Shared reading",
    )
    assert list(innovation.owners.all()) == [innovator]
    assert [s.name for s in innovation.sectors.all()] == ["Health"]
    assert [r.slug for r in innovation.regions.all()] == ["wales"]
    assert innovation.scaling_ways == ["out"]
    assert innovation.submitted_at is None
    assert not Network.objects.exists()


def test_a_new_innovation_sent_for_review_is_submitted_and_recorded(innovator):
    innovation = services.create_innovation(values(), by=innovator, status="submitted")

    assert innovation.status == "submitted"
    assert innovation.submitted_at is not None
    latest = innovation.audit.latest()
    assert (latest.status, latest.history_change_reason, latest.history_user) == (
        "submitted",
        "Submitted for review",
        innovator,
    )


def test_slugs_of_new_innovations_never_clash(innovator):
    first = services.create_innovation(values(), by=innovator)
    second = services.create_innovation(values(), by=innovator)
    assert first.slug != second.slug


@pytest.mark.parametrize("status", ["published", "archived"])
def test_a_new_innovation_cannot_start_public_or_archived(innovator, curator, status):
    for user in (innovator, curator):
        with pytest.raises(ModerationError, match="starts as a draft"):
            services.create_innovation(values(), by=user, status=status)
    assert not Innovation.objects.exists()


def test_only_someone_signed_in_adds_an_innovation():
    with pytest.raises(PermissionDenied):
        services.create_innovation(values(), by=AnonymousUser())
    assert not Innovation.objects.exists()


def test_a_named_lead_organisation_is_the_catalogues_own_or_a_new_one(innovator, curator):
    known = OrganisationFactory(name="Reading Trust", kind="charity")
    linked = services.create_innovation(
        values(lead_organisation=NamedOrganisation("  reading   TRUST ", kind="business")),
        by=curator,  # an owner naming it would wait for a curator (test_revisions.py)
    )
    added = services.create_innovation(
        values(lead_organisation=NamedOrganisation("New Readers", kind="charity", source="Form")),
        by=innovator,
    )
    assert linked.lead_organisation == known
    assert known.kind == "charity"
    organisation = added.lead_organisation
    assert (organisation.name, organisation.kind, organisation.source) == (
        "New Readers",
        "charity",
        "Form",
    )
    assert Organisation.objects.count() == 2


# -- Editing ----------------------------------------------------------------------------------


def test_an_edit_writes_only_the_fields_given(innovator, own_draft):
    Innovation.objects.filter(pk=own_draft.pk).update(problem="Written by someone else")

    services.edit_innovation(own_draft, {"summary": "Edited."}, by=innovator)

    own_draft.refresh_from_db()
    assert (own_draft.summary, own_draft.problem) == ("Edited.", "Written by someone else")


def test_an_edit_replaces_the_relations_given_and_keeps_the_others(innovator, own_draft):
    own_draft.sectors.set([SectorFactory(name="Health")])
    own_draft.regions.set([region("wales")])

    services.edit_innovation(own_draft, {"sectors": [SectorFactory(name="Arts")]}, by=innovator)

    assert [s.name for s in own_draft.sectors.all()] == ["Arts"]
    assert [r.slug for r in own_draft.regions.all()] == ["wales"]


def test_only_owners_and_curators_edit(other_innovator, curator, own_draft):
    with pytest.raises(PermissionDenied):
        services.edit_innovation(own_draft, {"summary": "Mine now."}, by=other_innovator)
    with pytest.raises(PermissionDenied):
        services.edit_innovation(own_draft, {"summary": "Mine now."}, by=AnonymousUser())
    services.edit_innovation(own_draft, {"summary": "Checked."}, by=curator)
    own_draft.refresh_from_db()
    assert own_draft.summary == "Checked."


def test_an_owner_submits_with_an_edit_but_only_curators_publish(
    innovator, curator, own_draft, published_signals
):
    services.edit_innovation(own_draft, {"summary": "Ready."}, by=innovator, status="submitted")
    assert own_draft.status == "submitted"
    with pytest.raises(ModerationError, match="Only curators"):
        services.edit_innovation(own_draft, {}, by=innovator, status="published")
    assert published_signals == []

    services.edit_innovation(own_draft, {}, by=curator, status="published")

    own_draft.refresh_from_db()
    assert (own_draft.status, own_draft.summary) == ("published", "Ready.")
    assert published_signals == [own_draft.slug]
    assert Network.objects.filter(innovation=own_draft).exists()


def test_an_edit_names_a_new_lead_organisation(innovator, own_draft):
    services.edit_innovation(
        own_draft,
        {"lead_organisation": NamedOrganisation("Fresh Start CIC", kind="social-enterprise")},
        by=innovator,
    )
    own_draft.refresh_from_db()
    assert own_draft.lead_organisation.name == "Fresh Start CIC"


# -- Where a catalogue file says it stands ----------------------------------------------------


def test_set_status_reaches_any_status_with_what_follows_it(published_signals):
    archived = services.set_status(InnovationFactory(draft=True), "archived")
    assert (archived.status, archived.published_at) == ("archived", None)

    submitted = services.set_status(InnovationFactory(), "submitted")  # no move does this
    assert (submitted.status, submitted.submitted_at is not None) == ("submitted", True)

    published = services.set_status(InnovationFactory(draft=True, slug="now-public"), "published")
    assert published.published_at is not None
    assert published.audit.latest().history_change_reason == "Published"
    assert published_signals == ["now-public"]
    assert Network.objects.filter(innovation=published).exists()


def test_set_status_leaves_an_innovation_already_there_alone(published_signals):
    innovation = InnovationFactory(slug="public")
    before = (innovation.updated_at, innovation.audit.count())

    services.set_status(innovation, "published")

    innovation.refresh_from_db()
    assert (innovation.updated_at, innovation.audit.count()) == before
    assert published_signals == []


def test_whoever_is_named_is_recorded_for_a_status_set_outside_a_request(published_signals):
    curator = UserFactory(is_staff=True)
    innovation = services.set_status(InnovationFactory(draft=True), "archived", by=curator)
    assert innovation.audit.latest().history_user == curator

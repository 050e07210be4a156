"""Every admin changelist and change form renders for a curator; moderation actions work."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from adopters.models import Adoption
from catalogue.models import Innovation, InnovationRevision
from kernel.models import OutgoingEmail
from networks.models import Mentoring, Network, RingMove, RingRequest
from tests.factories import (
    AdoptionFactory,
    AdoptionStatusChangeFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    MembershipFactory,
    OrganisationFactory,
    ReachFigureFactory,
    RegistrationOfInterestFactory,
    ResourceFactory,
    ScalingRouteFactory,
    SectorFactory,
    local_authority,
)
from tests.test_audit_history import change_form_data, edit_in_admin

pytestmark = pytest.mark.django_db

MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"kernel", "catalogue", "adopters", "networks", "portal"}
]


@pytest.fixture
def one_of_everything():
    innovation = InnovationFactory()
    innovation.sectors.add(SectorFactory())
    innovation.beneficiaries.add(BeneficiaryGroupFactory())
    innovation.scaling_routes.add(ScalingRouteFactory())
    ReachFigureFactory(innovation=innovation)
    ResourceFactory().innovations.add(innovation)
    change = AdoptionStatusChangeFactory(adoption__innovation=innovation)
    RegistrationOfInterestFactory(innovation=innovation, adoption=change.adoption)
    member = MembershipFactory(network__innovation=innovation, ring="learning")
    mentor = MembershipFactory(network=member.network, ring="core", role="mentor")
    RingRequest.objects.create(membership=member, ring="learning", kind="request")
    Mentoring.objects.create(mentee=member, mentor=mentor, paired_at=timezone.now())
    OutgoingEmail.objects.create(to="someone@example.org", subject="Hello", body="Hi")
    InnovationRevision.objects.create(innovation=innovation, changes={"summary": "Proposed"})


def test_every_app_model_is_registered():
    names = {model.__name__ for model in MODELS}
    assert names == {
        "Region",
        "LocalAuthority",
        "Organisation",
        "Sector",
        "BeneficiaryGroup",
        "ScalingRoute",
        "Innovation",
        "InnovationRevision",
        "ReachFigure",
        "Resource",
        "Synonym",
        "Adoption",
        "AdoptionStatusChange",
        "RegistrationOfInterest",
        "OutgoingEmail",
        "Network",
        "Membership",
        "RingMove",
        "RingRequest",
        "Mentoring",
    }


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_renders(curator_client, one_of_everything, model):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert curator_client.get(url).status_code == 200
    assert curator_client.get(url, {"q": "a"}).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_and_add_forms_render(curator_client, one_of_everything, model):
    opts = model._meta
    obj = model.objects.first()
    if obj is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert curator_client.get(url).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    can_add = admin.site._registry[model].has_add_permission(curator_client.request().wsgi_request)
    assert curator_client.get(add).status_code == (200 if can_add else 403)


def test_publish_action_publishes_and_creates_the_network(curator_client):
    draft = InnovationFactory(draft=True)
    response = curator_client.post(
        reverse("admin:catalogue_innovation_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == "published"
    assert draft.published_at is not None
    assert Network.objects.filter(innovation=draft).exists()


def test_curators_mark_adoptions_verified_with_the_action(curator_client, curator):
    checked, unchecked = AdoptionFactory(), AdoptionFactory()
    response = curator_client.post(
        reverse("admin:adopters_adoption_changelist"),
        {"action": "mark_verified", "_selected_action": [checked.pk]},
        follow=True,
    )
    assert "1 adoption(s) marked verified." in response.content.decode()
    checked.refresh_from_db()
    unchecked.refresh_from_db()
    assert (checked.verified, checked.verified_by, checked.verified_at is not None) == (
        True,
        curator,
        True,
    )
    assert not unchecked.verified


def test_a_status_changed_in_the_admin_is_a_dated_step_of_its_history(curator_client, curator):
    adoption = AdoptionFactory(status="exploring")
    edit_in_admin(curator_client, adoption, status="piloting")
    step = adoption.history.order_by("-pk").first()
    assert (step.status, step.note, step.changed_by) == (
        "piloting",
        "Changed in the admin.",
        curator,
    )
    edit_in_admin(curator_client, adoption, area="Somewhere else")
    assert adoption.history.order_by("-pk").first() == step  # no step without a change


def test_an_adoption_added_in_the_admin_is_recorded_by_the_curator(curator_client, curator):
    innovation = InnovationFactory()
    organisation = OrganisationFactory()
    response = curator_client.post(
        reverse("admin:adopters_adoption_add"),
        {
            "innovation": innovation.pk,
            "organisation": organisation.pk,
            "area": "Leeds",
            "status": "piloting",
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    adoption = Adoption.objects.get()
    assert adoption.recorded_by == curator
    (step,) = adoption.history.all()
    assert (step.status, step.note, step.changed_by) == (
        "piloting",
        "Changed in the admin.",
        curator,
    )


def test_an_adoption_placed_in_a_local_authority_in_the_admin_takes_its_region(curator_client):
    response = curator_client.post(
        reverse("admin:adopters_adoption_add"),
        {
            "innovation": InnovationFactory().pk,
            "organisation": OrganisationFactory().pk,
            "local_authority": local_authority("E06000014").pk,
            "area": "York",
            "status": "piloting",
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    adoption = Adoption.objects.get()
    assert (adoption.local_authority.code, adoption.region.slug) == (
        "E06000014",
        "yorkshire-and-the-humber",
    )
    listed = curator_client.get(
        reverse("admin:adopters_adoption_changelist"),
        {"local_authority__id__exact": adoption.local_authority_id},
    )
    assert listed.context["cl"].result_count == 1


def test_curators_find_local_authorities_by_name_or_code_and_cannot_change_them(curator_client):
    found = curator_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "adopters",
            "model_name": "adoption",
            "field_name": "local_authority",
            "term": "york",
        },
    ).json()["results"]
    assert {r["text"] for r in found} >= {"York", "North Yorkshire"}
    listed = curator_client.get(
        reverse("admin:catalogue_localauthority_changelist"), {"q": "E06000014"}
    )
    assert [la.name for la in listed.context["cl"].result_list] == ["York"]
    york = local_authority("E06000014")
    change = reverse("admin:catalogue_localauthority_change", args=[york.pk])
    assert curator_client.post(change, {"name": "Yorvik"}).status_code == 403
    york.refresh_from_db()
    assert york.name == "York"


def test_adoptions_added_or_moved_on_the_innovations_page_follow_the_rules(curator_client, curator):
    innovation = InnovationFactory()
    moved = AdoptionFactory(innovation=innovation, status="exploring", area="Leeds")
    url = reverse("admin:catalogue_innovation_change", args=[innovation.pk])
    data = change_form_data(curator_client.get(url))
    prefix = "adoptions"
    assert data[f"{prefix}-TOTAL_FORMS"] == 1
    data[f"{prefix}-0-status"] = "piloting"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-organisation": str(OrganisationFactory().pk),
            f"{prefix}-1-area": "York",
            f"{prefix}-1-status": "adopted",
        }
    )

    response = curator_client.post(url, data)

    assert response.status_code == 302
    added = Adoption.objects.get(area="York")
    assert added.recorded_by == curator
    assert [(s.status, s.note, s.changed_by) for s in added.history.all()] == [
        ("adopted", "Changed in the admin.", curator)
    ]
    moved.refresh_from_db()
    assert moved.status == "piloting"
    assert [(s.status, s.note) for s in moved.history.all()] == [
        ("piloting", "Changed in the admin.")
    ]
    assert moved.audit.latest().history_change_reason == "Now piloting"


def test_submit_then_archive_actions(curator_client):
    draft = InnovationFactory(draft=True)
    url = reverse("admin:catalogue_innovation_changelist")
    curator_client.post(url, {"action": "submit_selected", "_selected_action": [draft.pk]})
    assert Innovation.objects.get(pk=draft.pk).status == "submitted"
    curator_client.post(url, {"action": "archive_selected", "_selected_action": [draft.pk]})
    assert Innovation.objects.get(pk=draft.pk).status == "archived"


def test_refused_moves_are_reported_not_raised(curator_client):
    published = InnovationFactory()
    response = curator_client.post(
        reverse("admin:catalogue_innovation_changelist"),
        {"action": "submit_selected", "_selected_action": [published.pk]},
        follow=True,
    )
    assert "cannot be moved to submitted for review" in response.content.decode()
    assert Innovation.objects.get(pk=published.pk).status == "published"


def test_admin_import_reports_problems_and_writes_nothing(curator_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("bad.json", b'{"innovations": [{"title": "x", "stage": "nope"}]}')
    response = curator_client.post(reverse("admin:catalogue_innovation_import"), {"file": bad})
    html = response.content.decode()
    assert response.status_code == 200
    assert "innovations[0].stage" in html
    assert "innovations[0].summary" in html
    assert not Innovation.objects.exists()


def test_admin_import_loads_a_good_file(curator_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile(
        "good.json", b'{"innovations": [{"title": "Good idea", "summary": "It works."}]}'
    )
    response = curator_client.post(reverse("admin:catalogue_innovation_import"), {"file": good})
    assert response.status_code == 302
    assert Innovation.objects.get().title == "Good idea"


def test_admin_is_closed_to_non_staff(client, innovator):
    client.force_login(innovator)
    response = client.get(reverse("admin:catalogue_innovation_changelist"))
    assert response.status_code == 302


def test_vocabulary_name_clashing_with_another_slug_is_a_form_error(curator_client):
    SectorFactory(name="Health care")
    response = curator_client.post(
        reverse("admin:catalogue_sector_add"), {"name": "Health-care", "description": ""}
    )
    assert response.status_code == 200
    assert "already has the address" in response.content.decode()


def test_registrations_are_never_added_by_staff(curator_client):
    assert (
        curator_client.get(reverse("admin:adopters_registrationofinterest_add")).status_code == 403
    )


def test_regions_are_fixed(curator_client):
    assert curator_client.get(reverse("admin:catalogue_region_add")).status_code == 403


def test_unconfirmed_registration_cannot_be_marked_contacted(curator_client):
    registration = RegistrationOfInterestFactory()
    url = reverse("admin:adopters_registrationofinterest_change", args=[registration.pk])
    response = curator_client.post(
        url,
        {
            "innovation": registration.innovation.pk,
            "name": registration.name,
            "email": registration.email,
            "status": "contacted",
            "interests": "",
        },
    )
    assert response.status_code == 200
    assert "has not confirmed their email address" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "new"


def test_members_added_on_the_network_page_get_a_ring_move(curator_client, curator):
    response = curator_client.post(
        reverse("admin:networks_network_add"),
        {
            "name": "Outcome-based commissioning",
            "slug": "outcome-based-commissioning",
            "description": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-name": "Ana",
            "memberships-0-email": "ana@example.org",
            "memberships-0-ring": "learning",
            "memberships-0-role": "member",
            "memberships-0-joined_on": "2024-01-05",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    member = Network.objects.get().memberships.get()
    assert member.joined_through == "curator"
    move = member.moves.get()
    assert (move.from_ring, move.to_ring, move.moved_by) == ("", "learning", curator)


def test_the_history_of_rings_cannot_be_rewritten_or_deleted_in_the_admin(curator_client):
    member = MembershipFactory(ring="learning")
    move = RingMove.objects.create(
        membership=member,
        from_ring="interest",
        to_ring="learning",
        moved_at=timezone.now(),
        reason="Asked to follow closely.",
    )
    delete_move = reverse("admin:networks_ringmove_delete", args=[move.pk])
    assert curator_client.post(delete_move, {"post": "yes"}).status_code == 403
    change_move = reverse("admin:networks_ringmove_change", args=[move.pk])
    curator_client.post(change_move, {"reason": "Rewritten", "to_ring": "core"})
    delete_member = reverse("admin:networks_membership_delete", args=[member.pk])
    assert curator_client.post(delete_member, {"post": "yes"}).status_code == 403
    move.refresh_from_db()
    assert (move.reason, move.to_ring) == ("Asked to follow closely.", "learning")
    assert RingMove.objects.filter(membership=member).exists()

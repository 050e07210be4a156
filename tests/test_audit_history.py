"""The audit history: every edit of an innovation, adoption or membership is kept with who made
it, shown on the admin's History page, and scrubbed of a person when they are erased."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.forms import MultiWidget
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adopters import services as adoption_services
from catalogue import services
from catalogue.models import Innovation
from networks import services as network_services
from networks.models import Membership, RingMove
from portal.personal_data import erase_person, traces
from tests.factories import AdoptionFactory, InnovationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return str(value)


def change_form_data(response) -> dict[str, Any]:
    """What the admin change form on this page would post back unchanged, inlines included."""
    forms = [response.context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update(
            {management.add_prefix(name): value for name, value in management.initial.items()}
        )
        forms += formset.forms
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field.widget, MultiWidget):  # the admin's date and time, side by side
                parts = field.widget.decompress(value)
                for i, part in enumerate(parts):
                    data[f"{form.add_prefix(name)}_{i}"] = _form_value(part)
            elif (value := _form_value(value)) != "":
                data[form.add_prefix(name)] = value
    return data


def edit_in_admin(client: Client, obj, **changes: Any):
    """Save obj through its admin change form, changing only the given fields."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    data = change_form_data(client.get(url))
    data.update({name: _form_value(value) for name, value in changes.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def changed_fields(version) -> set[str]:
    return set(version.diff_against(version.prev_record).changed_fields)


def test_an_admin_edit_of_an_innovation_is_kept_with_the_curator_and_the_change(
    curator_client, curator
):
    innovation = InnovationFactory(title="Homeshare", summary="Sharing homes.")
    edit_in_admin(curator_client, innovation, summary="Older people share their homes.")

    latest = innovation.audit.latest()
    assert innovation.audit.count() == 2
    assert latest.history_type == "~"
    assert latest.history_user == curator
    assert latest.summary == "Older people share their homes."
    assert changed_fields(latest) == {"summary"}


def test_the_admin_history_page_shows_who_changed_what(curator_client, curator):
    innovation = InnovationFactory(title="Homeshare", summary="Sharing homes.")
    edit_in_admin(curator_client, innovation, summary="Older people share their homes.")

    page = curator_client.get(reverse("admin:catalogue_innovation_history", args=[innovation.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "curator" in html
    assert "Sharing homes." in html  # the old value…
    assert "Older people share their homes." in html  # …and the new
    assert "style=" not in html.split('id="change-history"')[1]  # nothing the CSP refuses


def test_an_old_version_can_be_viewed_but_not_restored(curator_client):
    innovation = InnovationFactory(title="Homeshare", summary="Sharing homes.")
    edit_in_admin(curator_client, innovation, summary="Older people share their homes.")
    first = innovation.audit.earliest()
    url = reverse("admin:catalogue_innovation_simple_history", args=[innovation.pk, first.pk])

    page = curator_client.get(url)
    assert page.status_code == 200
    assert 'value="Revert"' not in page.content.decode()
    assert curator_client.post(url, {"title": "Homeshare", "summary": "x"}).status_code == 403
    innovation.refresh_from_db()
    assert innovation.summary == "Older people share their homes."


def test_derived_columns_are_left_out_of_the_history():
    fields = {field.name for field in Innovation.audit.model._meta.fields}
    assert {"title", "status", "contact_email", "history_user"} <= fields
    assert not fields & {"search_vector", "facet_keys", "sector_ids", "adoption_count"}


def test_publishing_with_the_admin_action_records_the_move_and_the_curator(curator_client, curator):
    draft = InnovationFactory(draft=True)
    curator_client.post(
        reverse("admin:catalogue_innovation_changelist"),
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    latest = draft.audit.latest()
    assert latest.status == "published"
    assert latest.history_user == curator
    assert latest.history_change_reason == "Published"
    assert {"status", "published_at"} <= changed_fields(latest)


def test_every_moderation_move_is_kept_with_its_reason_and_who_made_it(curator):
    innovation = InnovationFactory(draft=True)
    services.submit(innovation)  # outside a request, with nobody named: nobody is recorded
    services.move(innovation, "published", by=curator)
    services.move(innovation, "archived", by=curator)
    services.move(innovation, "draft", by=curator, reason="Its evidence needs a source.")

    steps = [
        (v.status, v.history_change_reason, v.history_user)
        for v in innovation.audit.order_by("history_date", "history_id")
    ]
    assert steps == [
        ("draft", None, None),
        ("submitted", "Submitted for review", None),
        ("published", "Published", curator),
        ("archived", "Archived", curator),
        ("draft", "Returned to draft: Its evidence needs a source.", curator),
    ]
    # The whole reason is kept too (the label is cut at 100 characters).
    assert innovation.audit.latest().moderation_note == "Its evidence needs a source."
    # The labels went with those saves: a later save says nothing it did not mean.
    innovation.save()
    assert innovation.audit.latest().history_change_reason is None


def test_an_owner_sending_a_draft_through_the_api_is_recorded(client):
    owner = UserFactory()
    innovation = InnovationFactory(draft=True)
    innovation.owners.add(owner)
    client.force_login(owner)
    response = client.patch(
        f"/api/v1/innovations/{innovation.slug}/",
        json.dumps({"status": "submitted"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    latest = innovation.audit.latest()
    assert (latest.status, latest.history_user) == ("submitted", owner)


def test_an_adoption_edited_in_the_admin_and_moved_on_is_kept(curator_client, curator):
    adoption = AdoptionFactory(status="exploring", area="Leeds")
    edit_in_admin(curator_client, adoption, area="Leeds and Bradford")
    edited = adoption.audit.latest()
    assert edited.history_user == curator
    assert changed_fields(edited) == {"area"}

    adoption_services.change_status(adoption, "piloting", by=curator, note="Started.")
    moved = adoption.audit.latest()
    assert (moved.status, moved.history_change_reason, moved.history_user) == (
        "piloting",
        "Now piloting",
        curator,
    )


def test_a_membership_moved_by_a_facilitator_or_in_the_admin_is_kept(curator_client, curator):
    member = MembershipFactory(name="Kim", ring="interest")
    network_services.move(member, "learning", reason="Following closely.", by=curator)
    moved = member.audit.latest()
    assert (moved.ring, moved.history_user) == ("learning", curator)
    assert moved.history_change_reason == "Moved to the learning network"

    edit_in_admin(curator_client, member, ring="core", joined_on=datetime.date(2021, 1, 1))
    edited = member.audit.latest()
    assert (edited.ring, edited.history_user) == ("core", curator)
    assert changed_fields(edited) == {"ring"}
    assert RingMove.objects.filter(membership=member, to_ring="core").exists()


def test_history_pages_of_adoptions_and_memberships_render(curator_client):
    adoption = AdoptionFactory()
    member = MembershipFactory()
    for obj in (adoption, member):
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])
        assert curator_client.get(url).status_code == 200


def test_synthetic_catalogues_are_built_without_history():
    out = StringIO()
    call_command("generate_catalogue", "--innovations", "5", "--seed", "1", stdout=out)
    assert Innovation.objects.count() == 5
    assert not Innovation.audit.exists()


# -- Erasure -----------------------------------------------------------------------------------

EMAIL = "sam.patel@example.org"


@pytest.fixture
def remembered(curator):
    """Sam named in earlier versions only: as a contact since replaced (and quoted in the text),
    as a member who was moved, and as the curator-account that made changes."""
    sam = UserFactory(username=EMAIL, email=EMAIL, is_staff=True)
    innovation = InnovationFactory(
        contact_name="Sam Patel", contact_email=EMAIL, how_it_works=f"Ask {EMAIL} how."
    )
    innovation.contact_name, innovation.contact_email = "Kim Lee", "kim@example.org"
    innovation.how_it_works = "Ask the team how."
    innovation.save()
    adoption = AdoptionFactory(contact_name="Sam Patel", contact_email=EMAIL.upper())
    member = MembershipFactory(name="Sam Patel", email=EMAIL, user=sam)
    network_services.move(member, "learning", reason="Keen.", by=curator)
    services.move(innovation, "archived", by=sam)
    return {"sam": sam, "innovation": innovation, "adoption": adoption, "member": member}


def test_export_includes_the_versions_naming_the_person_and_their_changes(remembered):
    out = StringIO()
    call_command("export_person", EMAIL, stdout=out)
    held = json.loads(out.getvalue())
    named = {(v["record"], v["name"]) for v in held["audit_versions_naming_them"]}
    assert named == {
        ("innovation", "Sam Patel"),
        ("adoption", "Sam Patel"),
        ("membership", "Sam Patel"),
    }
    assert [(c["record"], c["reason"]) for c in held["audit_changes_made"]] == [
        ("innovation", "Archived")
    ]


def test_erasure_scrubs_the_person_from_every_version(remembered):
    innovation, member = remembered["innovation"], remembered["member"]
    versions_before = innovation.audit.count()

    done = erase_person(EMAIL)

    assert done["audit versions anonymised"] >= 4
    assert traces(EMAIL) == []
    for model in (Innovation, Membership, remembered["adoption"].__class__):
        history = model.audit.model
        assert not history.objects.filter(**{f"{_name_field(model)}__icontains": "Sam"}).exists()
    # The history stays whole: the same versions, the other contact kept.
    assert innovation.audit.count() == versions_before
    assert innovation.audit.latest().contact_email == "kim@example.org"
    assert innovation.audit.earliest().how_it_works == "Ask (erased) how."
    assert set(member.audit.values_list("email", "user_id")) == {
        (f"erased-{member.pk}@erased.invalid", None)
    }
    assert member.audit.latest().history_change_reason == "Personal data erased"
    # Changes Sam made still point at the account, which no longer says who.
    archived = innovation.audit.get(history_change_reason="Archived")
    assert archived.history_user.username == f"erased-{remembered['sam'].pk}"
    assert archived.history_user.email == ""


def test_deleting_an_account_keeps_the_changes_it_made_without_it(remembered):
    innovation = remembered["innovation"]
    remembered["sam"].delete()
    archived = innovation.audit.get(history_change_reason="Archived")
    assert archived.history_user is None


def _name_field(model) -> str:
    return "name" if model is Membership else "contact_name"


def test_the_history_page_reads_the_same_number_of_rows_however_many_versions(
    curator_client, curator
):
    """Each version's line names no related row of its own: a long history costs no more
    queries than a short one."""
    adoption = AdoptionFactory(status="exploring", area="Leeds")
    url = reverse("admin:adopters_adoption_history", args=[adoption.pk])

    def queries_for_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert curator_client.get(url).status_code == 200
        return len(captured)

    adoption_services.change_status(adoption, "piloting", by=curator, note="Started.")
    few = queries_for_page()
    for step, status in enumerate(["adopted", "scaled", "paused", "adopted", "scaled"]):
        adoption.area = f"Leeds, area {step}"
        adoption.save()
        adoption_services.change_status(adoption, status, by=curator, note="Moved on.")
    assert queries_for_page() == few

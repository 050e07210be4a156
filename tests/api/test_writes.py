"""Writing through the API: who may create and edit innovations and adoptions, and how bad
input is refused (every refusal a 4xx that names the field, and nothing stored)."""

import pytest

from adopters.models import Adoption
from catalogue.models import Innovation, Organisation
from networks.models import Network
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    OrganisationFactory,
    SectorFactory,
    region,
)

pytestmark = pytest.mark.django_db

INNOVATIONS = "/api/v1/innovations/"
ADOPTIONS = "/api/v1/adoptions/"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- Innovations -----------------------------------------------------------------------------


def test_anonymous_clients_cannot_add_or_edit_innovations(client):
    published = InnovationFactory(title="Public")
    assert post(client, INNOVATIONS, {"title": "X", "summary": "Y"}).status_code == 403
    assert patch(client, f"{INNOVATIONS}public/", {"title": "Z"}).status_code == 403
    assert Innovation.objects.count() == 1
    assert Innovation.objects.get().title == published.title


def test_an_innovator_adds_a_draft_they_own(client, innovator):
    SectorFactory(name="Health")
    OrganisationFactory(name="Example Trust")
    client.force_login(innovator)
    response = post(
        client,
        INNOVATIONS,
        {
            "title": "Peer support circles",
            "summary": "Small groups of carers meet weekly.",
            "sectors": ["health"],
            "regions": ["london", "england"],
            "lead_organisation": "example-trust",
            "scaling_ways": ["out", "out", "deep"],
            "stage": "developing-testing",
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == "/api/v1/innovations/peer-support-circles/"
    assert data["status"] == "draft"
    assert data["sectors"] == [{"slug": "health", "name": "Health"}]
    assert data["scaling_ways"] == ["out", "deep"]
    innovation = Innovation.objects.get(slug="peer-support-circles")
    assert list(innovation.owners.all()) == [innovator]
    # Drafts stay out of the public search and detail.
    client.logout()
    assert client.get(f"{INNOVATIONS}peer-support-circles/").status_code == 404
    assert client.get(INNOVATIONS).json()["count"] == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"summary": "No title"}, "title"),
        ({"title": "T", "summary": "S", "sectors": ["no-such-sector"]}, "sectors"),
        ({"title": "T", "summary": "S", "lead_organisation": "bad\x00slug"}, "lead_organisation"),
        ({"title": "Nul\x00", "summary": "S"}, "title"),
        ({"title": "T", "summary": "S", "year_started": 1700}, "year_started"),
        ({"title": "T", "summary": "S", "evidence_level": 9}, "evidence_level"),
        ({"title": "T", "summary": "S", "stage": "scaling"}, "stage"),
        ({"title": "T", "summary": "S", "website": "not a url"}, "website"),
        ({"title": "T", "summary": "S", "status": "published"}, "status"),
        ({"title": "x" * 201, "summary": "S"}, "title"),
    ],
)
def test_bad_innovations_are_400s_naming_the_field(client, innovator, data, field):
    client.force_login(innovator)
    response = post(client, INNOVATIONS, data)
    assert response.status_code == 400
    assert field in response.json()
    assert not Innovation.objects.exists()


def test_owners_edit_their_own_and_may_only_submit_or_withdraw(client, innovator, own_draft):
    client.force_login(innovator)
    url = f"{INNOVATIONS}{own_draft.slug}/"
    assert patch(client, url, {"summary": "Better words."}).json()["summary"] == "Better words."
    assert patch(client, url, {"status": "submitted"}).json()["status"] == "submitted"
    refused = patch(client, url, {"status": "published"})
    assert refused.status_code == 400
    assert "curators" in refused.json()["status"][0]
    assert patch(client, url, {"status": "draft"}).json()["status"] == "draft"


def test_innovators_cannot_edit_what_others_own(client, other_innovator, own_draft):
    published = InnovationFactory(title="Someone else's")
    client.force_login(other_innovator)
    assert patch(client, f"{INNOVATIONS}{own_draft.slug}/", {"title": "Mine"}).status_code == 404
    assert patch(client, f"{INNOVATIONS}someone-elses/", {"title": "Mine"}).status_code == 403
    published.refresh_from_db()
    assert published.title == "Someone else's"


def test_curators_edit_anything_and_publishing_creates_the_network(client, curator, own_draft):
    client.force_login(curator)
    data = patch(client, f"{INNOVATIONS}{own_draft.slug}/", {"status": "published"}).json()
    assert data["status"] == "published"
    assert data["network"]["rings"] == {"core": 0, "learning": 0, "interest": 0}
    own_draft.refresh_from_db()
    assert own_draft.published_at is not None
    assert Network.objects.filter(innovation=own_draft).exists()
    assert (
        patch(client, f"{INNOVATIONS}{own_draft.slug}/", {"status": "archived"}).json()["status"]
        == "archived"
    )


def test_a_token_from_a_password_signs_requests(client, innovator):
    innovator.set_password("a long enough passphrase")
    innovator.save()
    token = client.post(
        "/api/v1/auth/token/",
        {"username": innovator.username, "password": "a long enough passphrase"},
    ).json()["token"]
    response = client.post(
        INNOVATIONS,
        {"title": "By token", "summary": "S"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201
    wrong = client.post("/api/v1/auth/token/", {"username": innovator.username, "password": "x"})
    assert wrong.status_code == 400


def test_a_username_longer_than_any_account_s_is_a_field_error(client):
    # Found by the fuzzer: a 300-character username reached django-axes, whose failure record
    # holds 255 characters, and the insert failed with a 500.
    response = client.post("/api/v1/auth/token/", {"username": "u" * 300, "password": "x"})
    assert response.status_code == 400
    assert "username" in response.json()


def test_repeated_wrong_passwords_lock_the_token_out_with_a_429(client, innovator, settings):
    innovator.set_password("a long enough passphrase")
    innovator.save()
    token = "/api/v1/auth/token/"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert (
            client.post(token, {"username": innovator.username, "password": "x"}).status_code == 400
        )
    locked = client.post(token, {"username": innovator.username, "password": "x"})
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME * 3600
    right = {"username": innovator.username, "password": "a long enough passphrase"}
    assert client.post(token, right).status_code == 429
    # The lock holds for this account from this address only.
    assert client.post(token, right, REMOTE_ADDR="192.0.2.7").status_code == 200


# --- Adoptions -------------------------------------------------------------------------------


@pytest.fixture
def adoptable(db):
    innovation = InnovationFactory(title="Shared reading")
    OrganisationFactory(name="Knowsley Council", kind="local-authority")
    return innovation


def adoption_data(**changes):
    return {
        "innovation": "shared-reading",
        "organisation": "knowsley-council",
        "region": "north-west",
        "area": "Knowsley",
        "status": "piloting",
        "contact_email": "officer@example.org",
        **changes,
    }


def test_anonymous_clients_cannot_record_adoptions(client, adoptable):
    assert post(client, ADOPTIONS, adoption_data()).status_code == 403
    assert not Adoption.objects.exists()


def test_a_signed_in_adopter_records_an_adoption_with_its_first_status(
    client, innovator, adoptable
):
    client.force_login(innovator)
    response = post(client, ADOPTIONS, adoption_data(note="Starting with two groups"))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "piloting"
    assert data["history"][0]["status"] == "piloting"
    assert data["history"][0]["note"] == "Starting with two groups"
    assert "contact_email" not in data  # written, never shown
    adoption = Adoption.objects.get()
    assert (adoption.recorded_by, adoption.contact_email) == (innovator, "officer@example.org")
    adoptable.refresh_from_db()
    assert adoptable.adoption_count == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"innovation": "no-such-thing"}, "innovation"),
        ({"status": "finished"}, "status"),
        ({"started_on": "2020-05-01", "ended_on": "2020-01-01"}, "ended_on"),
        ({"people_reached": -1}, "people_reached"),
        ({"verified": True}, "verified"),
        ({"region": "\x00"}, "region"),
        ({"local_authority": "E99999999"}, "local_authority"),
        ({"local_authority": "e06000014"}, "local_authority"),
        ({"local_authority": "York"}, "local_authority"),
        ({"local_authority": "E0600001\x00"}, "local_authority"),
        ({"local_authority": "E06000014" * 1000}, "local_authority"),
        ({"local_authority": 6000014}, "local_authority"),
        ({"local_authority": ["E06000014"]}, "local_authority"),
        ({"local_authority": {"code": "E06000014"}}, "local_authority"),
    ],
)
def test_bad_adoptions_are_400s_naming_the_field(client, innovator, adoptable, changes, field):
    client.force_login(innovator)
    response = post(client, ADOPTIONS, adoption_data(**changes))
    assert response.status_code == 400
    assert field in response.json()
    assert not Adoption.objects.exists()


def test_an_adoption_names_its_local_authority_by_code_and_takes_its_region(
    client, innovator, adoptable
):
    client.force_login(innovator)
    response = post(client, ADOPTIONS, adoption_data(local_authority="E06000014"))

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["local_authority"] == {"code": "E06000014", "name": "York"}
    assert data["region"] == "yorkshire-and-the-humber"  # not the north-west it was sent with

    url = f"{ADOPTIONS}{data['id']}/"
    cleared = patch(client, url, {"local_authority": None, "region": "wales"}).json()
    assert (cleared["local_authority"], cleared["region"]) == (None, "wales")
    assert client.get(url).json()["local_authority"] is None


def test_adoptions_of_drafts_and_duplicates_are_refused(client, innovator, adoptable):
    InnovationFactory(title="Not yet", draft=True)
    client.force_login(innovator)
    assert post(client, ADOPTIONS, adoption_data(innovation="not-yet")).status_code == 400
    assert post(client, ADOPTIONS, adoption_data()).status_code == 201
    again = post(client, ADOPTIONS, adoption_data(area="knowsley"))  # same area, any case
    assert again.status_code == 400
    assert "area" in again.json()


def test_whoever_recorded_it_and_curators_edit_an_adoption(
    client, innovator, other_innovator, curator, adoptable
):
    adoption = AdoptionFactory(
        innovation=adoptable, recorded_by=innovator, status="piloting", region=region("wales")
    )
    url = f"{ADOPTIONS}{adoption.pk}/"
    client.force_login(other_innovator)
    assert patch(client, url, {"status": "adopted"}).status_code == 403
    client.force_login(innovator)
    data = patch(client, url, {"status": "adopted", "note": "Council funding agreed"}).json()
    assert data["status"] == "adopted"
    assert [step["status"] for step in data["history"]] == ["adopted"]
    assert patch(client, url, {"verified": True}).status_code == 400
    client.force_login(curator)
    assert patch(client, url, {"verified": True}).json()["verified"] is True


# --- Found in review ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["sectors", "regions", "organisations", "networks", "resources", "scaling-routes"]
)
def test_a_nul_byte_in_a_slug_is_a_404_not_a_500(client, path):
    assert client.get(f"/api/v1/{path}/%00/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        '{"title": "T", "summary": "S", "stage": "\\ud800"}',
        '{"title": "T", "summary": "S", "sectors": ["\\ud800"]}',
        '{"title": "T", "summary": "\\udc80"}',
    ],
)
def test_a_lone_surrogate_in_json_is_a_400(client, innovator, data):
    client.force_login(innovator)
    response = client.post(INNOVATIONS, data, content_type="application/json")
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


def test_a_forwarded_for_header_does_not_give_a_new_throttle_allowance(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "100/minute"},
    }
    statuses = [
        client.get("/api/v1/sectors/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_an_owners_edit_does_not_undo_a_curators_concurrent_move(client, innovator, monkeypatch):
    innovation = InnovationFactory(title="Live", draft=True)
    innovation.owners.add(innovator)
    saving = Innovation.save

    def submitted_meanwhile(instance, *args, **kwargs):
        # The entry is sent for review between the owner's request loading it and the edit
        # being saved (catalogue.services.edit_innovation).
        Innovation.objects.filter(pk=innovation.pk).update(status="submitted")
        saving(instance, *args, **kwargs)

    monkeypatch.setattr(Innovation, "save", submitted_meanwhile)
    client.force_login(innovator)
    assert patch(client, f"{INNOVATIONS}live/", {"summary": "Edited"}).status_code == 200
    innovation.refresh_from_db()
    assert (innovation.summary, innovation.status) == ("Edited", "submitted")


def test_only_curators_verify_and_an_adopters_edit_needs_verifying_again(
    client, innovator, curator, adoptable
):
    adoption = AdoptionFactory(innovation=adoptable, recorded_by=innovator, status="adopted")
    url = f"{ADOPTIONS}{adoption.pk}/"
    client.force_login(curator)
    assert patch(client, url, {"verified": True}).json()["verified"] is True
    client.force_login(innovator)
    assert patch(client, url, {"verified": False}).status_code == 400
    data = patch(client, url, {"people_reached": 999}).json()
    assert (data["people_reached"], data["verified"]) == (999, False)


def test_other_origins_get_no_cors_headers_on_writes(client):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "x", "password": "y"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert "Access-Control-Allow-Origin" not in response


def test_an_oversized_body_is_a_json_400(client, innovator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(innovator)
    response = post(client, INNOVATIONS, {"title": "T", "summary": "S" * 5000})
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}


def test_lists_of_references_are_bounded(client, innovator):
    client.force_login(innovator)
    response = post(client, INNOVATIONS, {"title": "T", "summary": "S", "sectors": ["a"] * 101})
    assert response.status_code == 400
    assert "At most 100" in response.json()["sectors"][0]


def test_a_body_in_a_format_the_api_does_not_read_is_a_documented_415(client):
    response = client.generic(
        "POST", "/api/v1/auth/token/", b"username=a", content_type="text/plain"
    )
    assert response.status_code == 415
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "415" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


# --- Found in the API audit ---------------------------------------------------------------------


def put(client, url, data):
    return client.put(url, data, content_type="application/json")


def test_a_curator_adds_an_innovation_as_a_draft_they_own(client, curator):
    client.force_login(curator)
    response = post(client, INNOVATIONS, {"title": "Curated idea", "summary": "S"})
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"
    assert list(Innovation.objects.get(slug="curated-idea").owners.all()) == [curator]


@pytest.mark.parametrize(
    ("who", "expected", "summary"),
    [
        (None, 403, "Before"),
        # An owner's change to a published entry waits for a curator (test_revisions.py).
        ("innovator", 202, "Before"),
        ("other_innovator", 403, "Before"),
        ("curator", 200, "After"),
    ],
)
def test_who_may_replace_an_innovation_with_put(client, request, innovator, who, expected, summary):
    innovation = InnovationFactory(title="Published", summary="Before")
    innovation.owners.add(innovator)
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    response = put(client, f"{INNOVATIONS}published/", {"title": "Published", "summary": "After"})
    assert response.status_code == expected, response.json()
    innovation.refresh_from_db()
    assert innovation.summary == summary


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 403), ("innovator", 200), ("other_innovator", 403), ("curator", 200)],
)
def test_who_may_replace_an_adoption_with_put(client, request, innovator, adoptable, who, expected):
    adoption = AdoptionFactory(
        innovation=adoptable,
        organisation=OrganisationFactory(name="Wirral Council"),
        recorded_by=innovator,
        area="Wirral",
    )
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    data = adoption_data(organisation="wirral-council", area="Birkenhead")
    response = put(client, f"{ADOPTIONS}{adoption.pk}/", data)
    assert response.status_code == expected, response.json()
    adoption.refresh_from_db()
    assert adoption.area == ("Birkenhead" if expected == 200 else "Wirral")


def test_a_wrong_token_is_a_403_even_for_reading(client):
    # Session authentication comes first and names no challenge, so DRF sends no 401.
    wrong = {"HTTP_AUTHORIZATION": "Token not-a-real-one"}
    for response in (
        client.get(INNOVATIONS, **wrong),
        client.post(INNOVATIONS, {"title": "T"}, content_type="application/json", **wrong),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": "Invalid token."}


def test_an_adoption_names_a_new_organisation_as_the_form_does(client, innovator, adoptable):
    client.force_login(innovator)
    data = adoption_data(organisation_name="  Sefton Council ", organisation_kind="local-authority")
    del data["organisation"]
    response = post(client, ADOPTIONS, data)
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"] == {
        "slug": "sefton-council",
        "name": "Sefton Council",
        "kind": "local-authority",
    }
    organisation = Adoption.objects.get().organisation
    assert (organisation.name, organisation.region.slug) == ("Sefton Council", "north-west")


def test_an_adoption_naming_a_known_organisation_in_another_case_links_it(
    client, innovator, adoptable
):
    client.force_login(innovator)
    data = adoption_data(organisation_name="KNOWSLEY council", organisation_kind="charity")
    del data["organisation"]
    response = post(client, ADOPTIONS, data)
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"]["slug"] == "knowsley-council"
    assert Organisation.objects.filter(name__iexact="knowsley council").count() == 1
    assert Organisation.objects.get(slug="knowsley-council").kind == "local-authority"


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"organisation_name": "Sefton Council"}, {"organisation", "organisation_name"}),
        ({"organisation": None}, {"organisation", "organisation_name"}),
        ({"organisation": None, "organisation_name": "Sefton Council"}, {"organisation_kind"}),
        ({"organisation_kind": "charity"}, {"organisation_kind"}),
        ({"organisation": None, "organisation_name": " "}, {"organisation_name"}),
    ],
    ids=["both", "neither", "new-name-without-kind", "kind-without-name", "blank-name"],
)
def test_an_adoption_takes_its_organisation_one_way_only(
    client, innovator, adoptable, changes, fields
):
    client.force_login(innovator)
    data = {key: value for key, value in adoption_data(**changes).items() if value is not None}
    response = post(client, ADOPTIONS, data)
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Adoption.objects.exists()
    assert not Organisation.objects.filter(name="Sefton Council").exists()

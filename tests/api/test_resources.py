"""The API's resources besides the search: what they show, to whom, and how they fail."""

import csv
import io

import pytest
from django.core.management import call_command

from catalogue.models import Organisation
from tests.factories import (
    AdoptionFactory,
    AdoptionStatusChangeFactory,
    BeneficiaryGroupFactory,
    InnovationFactory,
    MembershipFactory,
    OrganisationFactory,
    ReachFigureFactory,
    ResourceFactory,
    SectorFactory,
    region,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def reading(db):
    """A published innovation with something in every part of its record."""
    lead = OrganisationFactory(name="The Reader", kind="charity")
    innovation = InnovationFactory(
        title="Shared reading", lead_organisation=lead, stage="growing-scaling-spreading"
    )
    innovation.sectors.add(SectorFactory(name="Health"))
    innovation.regions.add(region("north-west"))
    ReachFigureFactory(innovation=innovation, measure="groups", value=43)
    knowsley = AdoptionFactory(
        innovation=innovation,
        organisation=OrganisationFactory(name="Knowsley Council", kind="local-authority"),
        region=region("north-west"),
        status="adopted",
        contact_email="officer@example.org",
    )
    AdoptionStatusChangeFactory(adoption=knowsley, status="exploring")
    AdoptionFactory(innovation=innovation, region=region("scotland"), status="piloting")
    ResourceFactory(title="Reading toolkit").innovations.add(innovation)
    from networks.services import ensure_innovation_network

    network = ensure_innovation_network(innovation)
    MembershipFactory(network=network, ring="core")
    MembershipFactory(network=network, ring="interest")
    return innovation


def test_innovation_detail_shows_everything_its_page_shows(client, reading):
    data = client.get(f"{API}innovations/shared-reading/").json()
    assert data["title"] == "Shared reading"
    assert data["lead_organisation"] == {
        "slug": "the-reader",
        "name": "The Reader",
        "kind": "charity",
    }
    assert data["sectors"] == [{"slug": "health", "name": "Health"}]
    assert data["regions"] == [{"slug": "north-west", "name": "North West"}]
    assert data["reach"] == [
        {"measure": "groups", "value": 43, "date": "2019-01-01", "source": "Test source"}
    ]
    assert data["adoptions"]["count"] == 2
    assert data["adoptions"]["by_status"] == {"piloting": 1, "adopted": 1}
    assert data["adoptions"]["by_region"] == {"north-west": 1, "scotland": 1}
    assert data["network"]["rings"] == {"core": 1, "learning": 0, "interest": 1}
    assert [r["slug"] for r in data["resources"]] == ["reading-toolkit"]
    # Blank values are null, never "" (which is neither a cost band, a URL nor an address).
    assert (data["cost_band"], data["website"], data["contact_email"]) == (None, None, None)


def test_drafts_are_not_found_for_the_public_but_shown_to_their_owner(client, innovator, own_draft):
    assert client.get(f"{API}innovations/{own_draft.slug}/").status_code == 404
    client.force_login(innovator)
    data = client.get(f"{API}innovations/{own_draft.slug}/").json()
    assert data["status"] == "draft"
    assert data["network"] is None


def test_adoptions_are_filtered_and_never_show_contact_details(client, reading):
    AdoptionFactory(innovation=InnovationFactory(draft=True))  # of a draft: not public
    data = client.get(f"{API}adoptions/").json()
    assert data["count"] == 2
    assert "contact_email" not in data["results"][0]
    assert "officer@example.org" not in str(data)

    def count(**params):
        return client.get(f"{API}adoptions/", params).json()["count"]

    assert count(innovation="shared-reading") == 2
    assert count(region="england") == 1  # a nation covers its regions
    assert count(status=["piloting", "scaled"]) == 1
    assert count(organisation="knowsley-council") == 1
    knowsley = client.get(f"{API}adoptions/", {"organisation": "knowsley-council"}).json()
    assert knowsley["results"][0]["history"] == [
        {"status": "exploring", "changed_on": "2020-01-01", "note": ""}
    ]


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("adoptions/?status=maybe", "status"),
        ("organisations/?kind=council", "kind"),
        ("resources/?kind=%00", "kind"),
        ("organisations/?page=0", "page"),
        ("networks/?page_size=101", "page_size"),
        ("resources/?page=x", "page"),
    ],
)
def test_malformed_filters_and_paging_are_400s_naming_the_parameter(client, path, param):
    response = client.get(API + path)
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "adoptions/abc/",
        "adoptions/99999999999999999999999/",
        "organisations/nobody/",
        "innovations/nothing-here/",
        "no-such-resource/",
    ],
)
def test_unknown_things_are_json_404s(client, path):
    response = client.get(API + path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_page_past_the_last_is_empty(client, reading):
    data = client.get(f"{API}organisations/", {"page": 99}).json()
    assert data["results"] == []
    assert data["next"] is None
    assert data["count"] == 3


def test_vocabularies_count_published_innovations(client, reading):
    InnovationFactory(draft=True).sectors.add(reading.sectors.get())
    assert client.get(f"{API}sectors/").json() == [{"slug": "health", "name": "Health", "count": 1}]
    regions = {r["slug"]: r for r in client.get(f"{API}regions/").json()}
    assert regions["england"]["count"] == 1
    assert regions["north-west"] == {
        "slug": "north-west",
        "name": "North West",
        "count": 1,
        "kind": "region",
        "nation": "england",
    }


def test_organisations_and_networks_show_their_counts(client, reading):
    reader = client.get(f"{API}organisations/the-reader/").json()
    assert (reader["innovations_led"], reader["adoption_count"]) == (1, 0)
    knowsley = client.get(f"{API}organisations/knowsley-council/").json()
    assert (knowsley["innovations_led"], knowsley["adoption_count"]) == (0, 1)
    network = client.get(f"{API}networks/shared-reading/").json()
    assert network["innovation"] == "shared-reading"
    assert network["rings"] == {"core": 1, "learning": 0, "interest": 1}


READ_ONLY = [
    *(
        f"{API}{path}"
        for resource, slug in [
            ("organisations", "the-reader"),
            ("networks", "shared-reading"),
            ("resources", "reading-toolkit"),
            ("sectors", "health"),
            ("beneficiaries", "older-people"),
            ("scaling-routes", "replication"),
            ("regions", "north-west"),
        ]
        for path in (f"{resource}/", f"{resource}/{slug}/")
    ),
    f"{API}networks/shared-reading/members/",
]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_to_read_only_resources_are_refused_with_json(client, reading, curator, method):
    from catalogue.models import BeneficiaryGroup, ScalingRoute

    BeneficiaryGroup.objects.create(name="Older people", slug="older-people")
    ScalingRoute.objects.create(name="Replication", slug="replication")
    for url in READ_ONLY:
        assert client.get(url).status_code in (200, 403), url  # it exists
    send = {"data": {"name": "X"}, "content_type": "application/json"}
    for url in READ_ONLY:
        refused = getattr(client, method)(url, **send)
        assert (refused.status_code, "detail" in refused.json()) == (403, True), url
    client.force_login(curator)
    for url in READ_ONLY:
        refused = getattr(client, method)(url, **send)
        assert (refused.status_code, "detail" in refused.json()) == (405, True), url
        assert "GET" in refused["Allow"]
    assert not Organisation.objects.filter(name="X").exists()


@pytest.mark.parametrize(
    "url", [f"{API}innovations/shared-reading/", f"{API}adoptions/{{pk}}/", f"{API}innovations/"]
)
def test_innovations_and_adoptions_are_never_deleted_through_the_api(client, reading, curator, url):
    client.force_login(curator)
    response = client.delete(url.format(pk=reading.adoptions.first().pk))
    assert response.status_code == 405
    assert "detail" in response.json()
    assert reading.adoptions.count() == 2


def test_lists_come_as_csv_too_with_formulas_escaped(client, reading):
    InnovationFactory(lead_organisation=OrganisationFactory(name="=HYPERLINK(1)"))
    response = client.get(f"{API}organisations/", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("slug,name,kind,region")
    assert any(line.split(",")[1] == "'=HYPERLINK(1)" for line in lines[1:])
    search = client.get(f"{API}innovations/", {"q": "reading", "format": "csv"}).content
    assert b"shared-reading" in search


@pytest.mark.parametrize(
    "path",
    [
        "innovations/?q=nothing-matches-this",
        "adoptions/?status=stopped",
        "organisations/?kind=university",
        "networks/?page=9",
        "resources/?kind=funding",
        "beneficiaries/?",
    ],
)
def test_an_empty_csv_list_still_has_its_header_row(client, reading, path):
    empty = client.get(f"{API}{path}&format=csv").content.decode().splitlines()
    assert len(empty) == 1
    BeneficiaryGroupFactory(name="Carers")
    full = client.get(f"{API}{path.split('?')[0]}?format=csv").content.decode().splitlines()
    assert len(full) > 1
    assert empty[0] == full[0]


def test_a_null_nested_object_gives_the_same_csv_columns_as_any_other(client, reading):
    InnovationFactory(title="Reading without a lead", lead_organisation=None)
    lines = client.get(
        f"{API}innovations/", {"q": "reading", "sort": "title", "format": "csv"}
    ).content.decode()
    header, *rows = list(csv.reader(io.StringIO(lines)))
    assert [c for c in header if c.startswith("lead_organisation")] == [
        "lead_organisation.name",
        "lead_organisation.kind",
    ]
    assert [len(row) for row in rows] == [len(header)] * 2
    lead = header.index("lead_organisation.name")
    assert [row[lead] for row in rows] == ["", "The Reader"]


def test_the_schema_says_the_token_needs_no_sign_in_and_documents_no_401(client):
    schema = client.get(f"{API}schema/", HTTP_ACCEPT="application/json").json()
    assert schema["paths"]["/api/v1/auth/token/"]["post"]["security"] == [{}]
    documented = {
        (path, method): set(operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    }
    assert not [where for where, codes in documented.items() if "401" in codes]


def test_any_origin_may_read_but_not_write(client, reading):
    response = client.get(f"{API}sectors/", HTTP_ORIGIN="https://council.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        f"{API}sectors/",
        HTTP_ORIGIN="https://council.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "Access-Control-Allow-Origin" not in client.get("/innovations/", HTTP_ORIGIN="https://x")


def test_details_answer_conditional_gets(client, reading):
    url = f"{API}innovations/shared-reading/"
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    reading.title = "Shared reading, renamed"
    reading.save()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_other_resources_answer_conditional_gets_too(client, reading):
    adoption = reading.adoptions.get(organisation__slug="knowsley-council")
    url = f"{API}adoptions/{adoption.pk}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    adoption.people_reached = 120
    adoption.save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (changed.status_code, changed.json()["people_reached"]) == (200, 120)


def test_only_get_answers_carry_an_etag(client, innovator, reading):
    client.force_login(innovator)
    url = f"{API}innovations/"
    assert "ETag" in client.get(url)
    written = client.post(url, {"title": "T", "summary": "S"}, content_type="application/json")
    assert written.status_code == 201
    assert "ETag" not in written
    assert "ETag" not in client.head(url)


def test_signed_in_clients_are_throttled_at_their_own_rate_with_retry_after(
    client, innovator, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/minute", "user": "3/minute"},
    }
    client.force_login(innovator)
    statuses = [client.get(f"{API}sectors/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(f"{API}sectors/")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower()


def test_anonymous_clients_are_throttled_with_retry_after(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "100/minute"},
    }
    statuses = [client.get(f"{API}sectors/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(f"{API}sectors/")
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()


def test_the_schema_validates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_the_docs_page_loads_nothing_from_other_hosts(client):
    html = client.get(f"{API}docs/").content.decode()
    assert "swagger-ui" in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html


@pytest.mark.parametrize(
    "path", ["adoptions/", "organisations/", "networks/", "resources/", "regions/"]
)
def test_lists_take_the_same_queries_for_two_rows_as_for_twenty(
    client, reading, django_assert_max_num_queries, path
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(API + path)
    from networks.services import ensure_innovation_network

    for n in range(20):
        innovation = InnovationFactory(title=f"More {n}")
        AdoptionFactory(innovation=innovation)
        ResourceFactory(title=f"Resource {n}").innovations.add(innovation)
        ensure_innovation_network(innovation)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(API + path).status_code == 200


def test_organisations_known_only_through_drafts_are_not_public(client, reading):
    hidden = OrganisationFactory(name="Only a draft's lead")
    InnovationFactory(draft=True, lead_organisation=hidden)
    slugs = {o["slug"] for o in client.get(f"{API}organisations/").json()["results"]}
    assert slugs == {"the-reader", "knowsley-council", reading.adoptions.last().organisation.slug}
    assert client.get(f"{API}organisations/{hidden.slug}/").status_code == 404

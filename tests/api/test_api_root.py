"""`GET /api/v1/` lists the API's endpoints, and the licence is named in the API
(CONTRACT.md, the 2026-12 additions)."""

import pytest
from django.test import Client

from tests.factories import InnovationFactory

pytestmark = pytest.mark.django_db

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def test_the_root_lists_every_endpoint_and_each_answers(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert body["licence"] == OGL
    endpoints = body["endpoints"]
    assert {"innovations", "organisations", "adoptions", "networks", "resources", "regions"} <= set(
        endpoints
    )
    for name, url in endpoints.items():
        assert url.startswith("http://testserver/api/v1/"), name
        answer = Client().get(url.removeprefix("http://testserver"))
        assert answer.status_code in (200, 405), (name, answer.status_code)  # token: POST only


def test_the_root_is_public_to_a_cdn_and_takes_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/api/v1/")
    assert "public" in response["Cache-Control"]


def test_an_innovation_names_its_licence_and_the_setting_changes_it(client, settings):
    innovation = InnovationFactory(status="published")
    assert client.get(f"/api/v1/innovations/{innovation.slug}/").json()["licence"] == OGL
    settings.CONTENT_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
    assert client.get(f"/api/v1/innovations/{innovation.slug}/").json()["licence"] == (
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert client.get("/api/v1/").json()["licence"] == (
        "https://creativecommons.org/licenses/by/4.0/"
    )

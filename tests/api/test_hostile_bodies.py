"""Bodies built to break the parser: every JSON endpoint, signed in or not, answers 400 and
stores nothing (issue 14, finding 5)."""

import pytest

from adopters.models import RegistrationOfInterest
from catalogue.models import Innovation
from kernel.api import MAX_JSON_DEPTH
from tests.factories import InnovationFactory

pytestmark = pytest.mark.django_db

# 2 kB: a thousand arrays, each inside the one before.
THOUSAND_DEEP = "[" * 1000 + "]" * 1000


@pytest.fixture
def published(db):
    return InnovationFactory(title="Published", status="published")


def endpoints(published) -> list[str]:
    return [
        "/api/v1/auth/token/",
        f"/api/v1/innovations/{published.slug}/registrations/",
        "/api/v1/innovations/",
        "/api/v1/adoptions/",
    ]


@pytest.mark.parametrize("signed_in", [False, True])
def test_deeply_nested_json_is_a_400_everywhere(client, innovator, published, signed_in):
    if signed_in:
        client.force_login(innovator)
    for url in endpoints(published):
        response = client.post(url, THOUSAND_DEEP, content_type="application/json")
        if response.status_code in (401, 403):  # refused before the body is read: also fine
            continue
        assert response.status_code == 400, url
        assert "levels deep" in response.json()["detail"], url
    assert Innovation.objects.count() == 1
    assert not RegistrationOfInterest.objects.exists()


def test_the_token_endpoint_reads_its_body_with_the_site_s_parser(client):
    """It is anonymous, so nothing stands in front of its parser."""
    response = client.post("/api/v1/auth/token/", THOUSAND_DEEP, content_type="application/json")
    assert response.status_code == 400


def test_nesting_just_within_the_limit_is_read_and_judged_by_the_fields(client, innovator):
    client.force_login(innovator)
    body = '{"title": "T", "summary": "S", "sectors": ' + "[" * (MAX_JSON_DEPTH - 1)
    body += "]" * (MAX_JSON_DEPTH - 1) + "}"
    response = client.post("/api/v1/innovations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "sectors" in response.json()


def test_one_level_more_is_refused_as_too_deep(client, innovator):
    client.force_login(innovator)
    body = '{"title": "T", "summary": "S", "sectors": ' + "[" * MAX_JSON_DEPTH
    body += "]" * MAX_JSON_DEPTH + "}"
    response = client.post("/api/v1/innovations/", body, content_type="application/json")
    assert response.status_code == 400
    assert "levels deep" in response.json()["detail"]

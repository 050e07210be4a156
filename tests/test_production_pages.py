"""Every page renders as production serves it: DEBUG off, static files collected by whitenoise's
compressed manifest storage, which refuses a reference to a file that does not exist (in a
template or inside a stylesheet)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client

from networks.services import ensure_innovation_network
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    ReachFigureFactory,
    ResourceFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings, collected_static):
    settings.DEBUG = False
    settings.STATIC_ROOT = collected_static
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return settings


def test_every_page_renders_with_collected_static_files(production):
    owner = UserFactory()
    innovation = InnovationFactory(title="Homeshare", slug="homeshare", evidence_level=3)
    innovation.owners.add(owner)
    innovation.sectors.add(SectorFactory(name="Health"))
    for year, value in ((2019, 5), (2021, 9)):
        ReachFigureFactory(innovation=innovation, value=value, date=f"{year}-01-01")
    adoption = AdoptionFactory(innovation=innovation)
    ResourceFactory(kind="funding")
    network = ensure_innovation_network(innovation)

    anonymous, signed_in = Client(), Client()
    signed_in.force_login(owner)
    pages = {
        anonymous: [
            "/",
            "/innovations/",
            "/innovations/?q=homeshare",
            "/innovations/homeshare/",
            f"/organisations/{innovation.lead_organisation.slug}/",
            f"/adoptions/{adoption.pk}/",
            "/resources/",
            "/how-innovations-spread/",
            "/accessibility/",
            "/privacy/",
            "/submit-an-innovation/",
            "/innovations/homeshare/interest/",
            "/networks/",
            f"/networks/{network.slug}/",
            "/account/sign-in/",
            "/account/sign-up/",
            "/account/password-reset/",
        ],
        signed_in: [
            "/account/",
            "/submit-an-innovation/",
            "/innovations/homeshare/reach/",
            "/innovations/homeshare/adopt/",
            f"/networks/{network.slug}/facilitate/",
        ],
    }
    for client, paths in pages.items():
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            # Static files are served under their hashed names, which can be cached for ever.
            assert "/static/css/site." in html, path
            assert "/static/css/site.css" not in html, path

    assert anonymous.get("/api/v1/docs/").status_code == 200  # Swagger UI, its own page
    response = anonymous.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database(production, django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html

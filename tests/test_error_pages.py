"""Refusals a person can meet are pages in the site's design, not Django's bare defaults."""

import pytest
from django.test import Client
from django.views import defaults

from networks.services import ensure_innovation_network
from tests.factories import InnovationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_forbidden_page_is_in_the_site_design_and_says_why(client):
    network = ensure_innovation_network(InnovationFactory(title="Homeshare"))
    client.force_login(UserFactory())
    response = client.get(f"/networks/{network.slug}/facilitate/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>You cannot do this" in html
    assert "Only the network&#x27;s facilitators and curators" in html
    assert 'class="govuk-generic-header app-header"' in html


def test_a_form_sent_without_its_csrf_token_gets_a_page_in_the_site_design():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/account/sign-in/", {"username": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert 'class="govuk-generic-header app-header"' in response.content.decode()


def test_the_server_error_page_is_in_the_site_design_without_a_request(
    rf, django_assert_num_queries
):
    # Django renders 500.html with no request and no context processors: nothing from them,
    # nor from the database, may be needed.
    with django_assert_num_queries(0):
        response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    title = "Sorry, there is a problem with the service – Innovation Catalogue"
    assert f"<title>{title}</title>" in html
    assert 'class="govuk-generic-header app-header"' in html
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in html


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("images/favicon.svg")

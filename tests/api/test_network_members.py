"""A network's members and their moves in the API: for its facilitators and curators only."""

import pytest
from rest_framework.authtoken.models import Token

from networks.services import enrol, ensure_innovation_network, move
from tests.factories import InnovationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    network = ensure_innovation_network(InnovationFactory(title="Homeshare", slug="homeshare"))
    member = enrol(network, email="ada@example.org", name="Ada", reason="Registered interest.")
    move(member, "learning", reason="Came to two meetings.")
    return network


def get(client, user=None):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
    return client.get("/api/v1/networks/homeshare/members/", **headers)


def test_anonymous_clients_are_refused(client, network):
    # 403, not 401: session authentication comes first and sends no challenge (docs/api.md).
    response = get(client)
    assert response.status_code == 403
    assert "ada@example.org" not in response.content.decode()


def test_members_and_strangers_are_refused(client, network):
    member = UserFactory()
    MembershipFactory(network=network, email=member.email, user=member)
    assert get(client, member).status_code == 403
    assert get(client, UserFactory()).status_code == 403


@pytest.mark.parametrize("who", ["curator", "owner", "facilitator"])
def test_facilitators_see_every_member_with_their_moves(client, network, who):
    user = UserFactory(is_staff=who == "curator")
    if who == "owner":
        network.innovation.owners.add(user)
    if who == "facilitator":
        MembershipFactory(network=network, email=user.email, user=user, role="facilitator")
    response = get(client, user)
    assert response.status_code == 200
    ada = next(m for m in response.json() if m["email"] == "ada@example.org")
    assert ada["ring"] == "learning"
    steps = [(m["from_ring"], m["to_ring"], m["reason"]) for m in ada["moves"]]
    assert steps == [
        ("", "interest", "Registered interest."),
        ("interest", "learning", "Came to two meetings."),
    ]


def test_the_members_of_a_draft_innovations_network_are_not_found(client, curator):
    ensure_innovation_network(InnovationFactory(draft=True, slug="hidden"))
    token = Token.objects.create(user=curator).key
    response = client.get("/api/v1/networks/hidden/members/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 404


def test_the_schema_documents_the_refusals(client):
    """The refusals above are documented, so a client (and the fuzzer) expects them."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    responses = schema["paths"]["/api/v1/networks/{slug}/members/"]["get"]["responses"]
    assert {"200", "403", "404"} <= set(responses)
    assert "401" not in responses  # never sent: see test_anonymous_clients_are_refused

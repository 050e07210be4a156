"""Learning networks end to end: the rings' invariants, joining and leaving, asking into the
learning ring, invitations into the core, moving several members at once, the facilitator's
page (permissions, CSV, the monthly funnel), query counts, and the public pages."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from adopters import services as adopter_services
from networks import services
from networks.models import Membership, RingMove, RingRequest
from tests import html
from tests.factories import (
    AdoptionFactory,
    InnovationFactory,
    MembershipFactory,
    NetworkFactory,
    RegistrationOfInterestFactory,
    UserFactory,
    absolute,
)

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


# -- Helpers and fixtures ---------------------------------------------------------------------


def url(network, name: str, *args) -> str:
    return reverse(f"networks:{name}", args=[network.slug, *args])


def member(network, user=None, *, ring="interest", role="member", **values) -> Membership:
    """A current member, linked to `user` (and using their email) when given."""
    if user is not None:
        values.setdefault("email", user.email)
        values.setdefault("user", user)
    return MembershipFactory(network=network, ring=ring, role=role, **values)


def texts(response) -> list[str]:
    """The flash messages queued by the request that made this response."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def ring_size(content: str, label: str) -> int:
    """The size shown for a ring on the public network page."""
    found = re.search(
        rf'<dt class="govuk-summary-list__key">{label}</dt>'
        rf'<dd class="govuk-summary-list__value">(\d+) current member',
        content,
    )
    assert found, f"no size shown for {label}"
    return int(found.group(1))


def history(membership) -> list[tuple[str, str]]:
    return [(m.from_ring, m.to_ring) for m in membership.moves.order_by("moved_at", "pk")]


@pytest.fixture
def innovation():
    return InnovationFactory(title="Homeshare", slug="homeshare")


@pytest.fixture
def network(innovation):
    return services.ensure_innovation_network(innovation)


@pytest.fixture
def owner(innovation):
    user = UserFactory(username="owner", first_name="Olu", last_name="Owner")
    innovation.owners.add(user)
    return user


@pytest.fixture
def person(db):
    """Someone with an account, not (yet) in the network."""
    return UserFactory(username="ana", email="ana@example.org", first_name="Ana", last_name="Ito")


@pytest.fixture
def facilitator(network):
    """A member of the network with the facilitator role (neither staff nor an owner)."""
    user = UserFactory(username="fay")
    member(network, user, ring="core", role="facilitator", name="Fay Facilitator")
    return user


# -- 1. Ring invariants -----------------------------------------------------------------------


def test_one_membership_per_person_per_network_in_any_case(network):
    MembershipFactory(network=network, email="Ana@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            network=network, email="ana@EXAMPLE.ORG", joined_on=datetime.date(2022, 1, 1)
        )
    # the same person may be in another network
    MembershipFactory(network=NetworkFactory(), email="ana@example.org")
    # enrolling in another case finds the same membership rather than adding one
    again = services.enrol(network, email="ANA@example.org", reason="Again")
    assert Membership.objects.filter(network=network).count() == 1
    assert again.email == "Ana@Example.org"


def test_the_database_refuses_a_move_to_the_same_ring(network):
    membership = member(network, ring="learning")
    with pytest.raises(IntegrityError), transaction.atomic():
        RingMove.objects.create(
            membership=membership,
            from_ring="learning",
            to_ring="learning",
            moved_at=timezone.now(),
            reason="Because",
        )
    RingMove.objects.create(
        membership=membership,
        from_ring="interest",
        to_ring="learning",
        moved_at=timezone.now(),
        reason="Because",
    )
    assert membership.moves.count() == 1


def test_the_database_refuses_a_move_without_a_reason(network):
    membership = member(network)
    with pytest.raises(IntegrityError), transaction.atomic():
        RingMove.objects.create(
            membership=membership,
            from_ring="interest",
            to_ring="learning",
            moved_at=timezone.now(),
            reason="",
        )
    assert not membership.moves.exists()


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_move_refuses_an_empty_reason(network, reason):
    membership = member(network)
    with pytest.raises(ValueError, match="reason"):
        services.move(membership, "learning", reason=reason)
    membership.refresh_from_db()
    assert membership.ring == "interest"
    assert not membership.moves.exists()


def test_every_join_and_move_is_kept_with_who_and_why(network, curator):
    membership = services.enrol(
        network, email="bo@example.org", reason="Met at a conference", by=curator
    )
    services.move(membership, "learning", reason="Running a trial", by=curator)
    services.move(membership, "core", reason="Trial went well")  # by nobody in particular

    moves = list(membership.moves.order_by("moved_at", "pk"))
    assert [(m.from_ring, m.to_ring, m.reason, m.moved_by) for m in moves] == [
        ("", "interest", "Met at a conference", curator),
        ("interest", "learning", "Running a trial", curator),
        ("learning", "core", "Trial went well", None),
    ]
    membership.refresh_from_db()
    assert membership.ring == "core"


def test_moving_to_the_ring_one_is_in_adds_no_move(network):
    membership = services.enrol(network, email="bo@example.org", reason="Joined")
    services.move(membership, "interest", reason="Nothing to do")
    assert history(membership) == [("", "interest")]


def pending(membership, **values) -> RingRequest:
    values = {"ring": "learning", "kind": "request", **values}
    return RingRequest.objects.create(membership=membership, **values)


def test_at_most_one_pending_request_per_membership(network):
    membership = member(network)
    first = pending(membership)
    with pytest.raises(IntegrityError), transaction.atomic():
        pending(membership, ring="core", kind="invitation")
    # once the first is decided, another may wait
    first.status = "declined"
    first.decided_at = timezone.now()
    first.save()
    pending(membership, ring="core", kind="invitation")
    assert membership.requests.filter(status="pending").count() == 1


@pytest.mark.parametrize(
    ("kind", "ring", "allowed"),
    [
        ("request", "learning", True),
        ("invitation", "core", True),
        ("request", "core", True),  # an adopter whose adoption is not verified yet
        ("invitation", "learning", False),
        ("request", "interest", False),
        ("invitation", "interest", False),
    ],
)
def test_a_request_kind_must_match_its_ring(network, kind, ring, allowed):
    membership = member(network)
    if allowed:
        pending(membership, kind=kind, ring=ring)
        assert membership.requests.count() == 1
    else:
        with pytest.raises(IntegrityError), transaction.atomic():
            pending(membership, kind=kind, ring=ring)
        assert not membership.requests.exists()


# -- 2. Joining -------------------------------------------------------------------------------


def test_joining_makes_a_current_interest_membership_linked_to_the_user(client, network, person):
    client.force_login(person)
    response = client.post(url(network, "join"))

    assert response.status_code == 302
    assert response["Location"] == network.get_absolute_url()
    membership = Membership.objects.get(network=network)
    assert membership.user == person
    assert membership.email == "ana@example.org"
    assert membership.name == "Ana Ito"
    assert (membership.ring, membership.joined_through) == ("interest", "direct")
    assert membership.is_current
    assert membership.joined_on == timezone.localdate()
    (move,) = membership.moves.all()
    assert (move.from_ring, move.to_ring, move.moved_by) == ("", "interest", person)
    assert move.reason
    assert any("joined" in text for text in texts(response))


def test_joining_links_a_membership_made_from_the_same_email(client, network, person):
    existing = services.enrol(
        network, email="ANA@example.org", joined_through="registration", reason="Registered"
    )
    client.force_login(person)
    client.post(url(network, "join"))
    existing.refresh_from_db()
    assert existing.user == person
    assert Membership.objects.filter(network=network).count() == 1
    assert existing.joined_through == "registration"
    assert history(existing) == [("", "interest")]


def test_joining_again_changes_nothing(client, network, person):
    client.force_login(person)
    client.post(url(network, "join"))
    before = Membership.objects.get(network=network)
    services.move(before, "learning", reason="Following closely")

    client.post(url(network, "join"))

    after = Membership.objects.get(network=network)
    assert after.ring == "learning"  # joining again never moves anyone outwards
    assert (after.joined_on, after.joined_through, after.user) == (
        before.joined_on,
        before.joined_through,
        person,
    )
    assert history(after) == [("", "interest"), ("interest", "learning")]


def test_an_anonymous_join_is_sent_to_sign_in(client, network):
    response = client.post(url(network, "join"))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert not Membership.objects.exists()


def test_join_needs_a_post(client, network, person):
    client.force_login(person)
    response = client.get(url(network, "join"))
    assert response.status_code == 405
    assert not Membership.objects.exists()


def test_the_network_of_a_draft_innovation_cannot_be_joined_or_seen(client, person):
    draft = InnovationFactory(draft=True)
    network = services.ensure_innovation_network(draft)
    client.force_login(person)
    assert client.post(url(network, "join")).status_code == 404
    assert client.get(url(network, "detail")).status_code == 404
    assert not Membership.objects.exists()


def test_a_thematic_network_can_be_joined(client, person):
    network = NetworkFactory(name="Loneliness", slug="loneliness")
    client.force_login(person)
    client.post(url(network, "join"))
    assert Membership.objects.get(network=network).user == person


def test_a_member_who_left_and_joins_again_is_current_again_with_both_joinings(
    client, network, person
):
    client.force_login(person)
    client.post(url(network, "join"))
    client.post(url(network, "leave"))
    membership = Membership.objects.get(network=network)
    assert not membership.is_current

    client.post(url(network, "join"))

    membership.refresh_from_db()
    assert membership.is_current
    assert membership.left_on is None
    assert membership.ring == "interest"
    assert Membership.objects.filter(network=network).count() == 1
    assert history(membership) == [("", "interest"), ("", "interest")]
    page = client.get(url(network, "detail")).content.decode()
    assert "You are in the <strong>interest network</strong>" in page


# -- 3. Leaving -------------------------------------------------------------------------------


def test_leaving_keeps_the_history_withdraws_a_request_and_leaves_the_sizes(
    client, network, person
):
    client.force_login(person)
    client.post(url(network, "join"))
    membership = Membership.objects.get(network=network)
    client.post(url(network, "ask"), {"message": "Please"})
    request = membership.requests.get()
    member(network, ring="interest")  # someone else stays
    page = client.get(url(network, "detail")).content.decode()
    assert ring_size(page, "Interest network") == 2

    response = client.post(url(network, "leave"))

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == timezone.localdate()
    assert membership.ring == "interest"
    assert history(membership) == [("", "interest")]
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert request.decided_at is not None
    page = client.get(url(network, "detail")).content.decode()
    assert ring_size(page, "Interest network") == 1
    assert "Join the interest ring" in page  # no longer shown as a member


def test_only_current_members_can_leave(client, network, person):
    client.force_login(person)
    assert client.post(url(network, "leave")).status_code == 403
    client.post(url(network, "join"))
    client.post(url(network, "leave"))
    assert client.post(url(network, "leave")).status_code == 403


def test_leaving_needs_a_post(client, network, person):
    member(network, person)
    client.force_login(person)
    assert client.get(url(network, "leave")).status_code == 405
    assert Membership.objects.get().is_current


# -- 4. The learning ring, by request ---------------------------------------------------------


def test_an_interest_member_asks_to_join_the_learning_ring(client, network, person):
    membership = member(network, person)
    client.force_login(person)

    response = client.post(url(network, "ask"), {"message": "We run a lunch club"})

    assert response.status_code == 302
    request = membership.requests.get()
    assert (request.kind, request.ring, request.status) == ("request", "learning", "pending")
    assert request.message == "We run a lunch club"
    assert request.created_by == person
    membership.refresh_from_db()
    assert membership.ring == "interest"  # nothing moves before a facilitator agrees
    page = client.get(url(network, "detail")).content.decode()
    assert "Your request to join the learning network is waiting" in page


def test_asking_twice_gives_an_error_and_no_second_request(client, network, person):
    membership = member(network, person)
    client.force_login(person)
    client.post(url(network, "ask"), {"message": "First"})

    response = client.post(url(network, "ask"), {"message": "Second"})

    assert response.status_code == 302
    assert "A request is already waiting for a decision." in texts(response)
    assert membership.requests.count() == 1
    assert membership.requests.get().message == "First"


@pytest.mark.parametrize("ring", ["learning", "core"])
def test_learning_and_core_members_cannot_ask(client, network, person, ring):
    membership = member(network, person, ring=ring)
    client.force_login(person)
    response = client.post(url(network, "ask"), {"message": "Let me in"})
    assert any("interest ring" in text for text in texts(response))
    assert not membership.requests.exists()


def test_someone_outside_the_network_cannot_ask(client, network, person):
    client.force_login(person)
    assert client.post(url(network, "ask")).status_code == 403
    assert not RingRequest.objects.exists()


@pytest.fixture
def asked(network, person):
    """An interest member who has asked to join the learning ring."""
    membership = member(network, person, name="Ana Ito")
    return services.ask_to_join_learning(
        membership, message="We run a lunch club", absolute=absolute
    )


def test_a_facilitator_sees_the_waiting_request_with_its_decision_buttons(
    client, network, asked, facilitator
):
    client.force_login(facilitator)
    page = client.get(url(network, "facilitate")).content.decode()
    members = page.index('<h2 class="govuk-fieldset__heading">Members</h2>')
    waiting = page[page.index('id="waiting"') : members]
    assert "Ana Ito" in waiting
    assert "We run a lunch club" in waiting
    assert "Learning network" in waiting
    assert url(network, "decide", asked.pk) in waiting
    assert 'name="decision" value="accept"' in waiting
    assert 'name="decision" value="decline"' in waiting
    # and the member's row says what they are waiting for, instead of offering an invitation
    assert "Asked to join: learning network" in page
    assert url(network, "invite", asked.membership.pk) not in page


def test_invitations_are_not_listed_among_the_requests_facilitators_decide(
    client, network, person, curator
):
    services.invite_to_core(member(network, person, name="Ana Ito"), by=curator, absolute=absolute)
    client.force_login(curator)
    page = client.get(url(network, "facilitate")).content.decode()
    assert "No requests waiting." in page
    assert "Invited: core network" in page


def test_facilitators_decide_requests_and_nobody_else(
    network, asked, person, facilitator, owner, curator
):
    assert services.decides(asked, facilitator)
    assert services.decides(asked, owner)
    assert services.decides(asked, curator)
    core_member = member(network, UserFactory(), ring="core").user
    mentor = member(network, UserFactory(), role="mentor").user
    for user in (person, core_member, mentor, UserFactory()):
        assert not services.decides(asked, user)


def test_accepting_a_request_moves_the_member_to_the_learning_ring(
    client, network, asked, facilitator
):
    client.force_login(facilitator)

    response = client.post(url(network, "decide", asked.pk), {"decision": "accept"})

    assert response.status_code == 302
    assert response["Location"] == url(network, "facilitate")
    assert "Accepted." in texts(response)
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == ("accepted", facilitator)
    assert asked.decided_at is not None
    membership = asked.membership
    membership.refresh_from_db()
    assert membership.ring == "learning"
    move = membership.moves.get()
    assert (move.from_ring, move.to_ring, move.moved_by) == ("interest", "learning", facilitator)
    assert move.reason
    assert "No requests waiting." in client.get(url(network, "facilitate")).content.decode()


def test_declining_leaves_the_member_in_the_interest_ring(client, network, asked, owner):
    client.force_login(owner)
    response = client.post(url(network, "decide", asked.pk), {"decision": "decline"})
    assert response.status_code == 302
    assert "Declined." in texts(response)
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by) == ("declined", owner)
    assert asked.decided_at is not None
    asked.membership.refresh_from_db()
    assert asked.membership.ring == "interest"
    assert not asked.membership.moves.exists()


@pytest.mark.parametrize("who", ["the member", "another member", "a mentor", "a stranger"])
def test_a_non_facilitator_deciding_a_request_is_forbidden(client, network, asked, person, who):
    user = {
        "the member": lambda: person,
        "another member": lambda: member(network, UserFactory(), ring="core").user,
        "a mentor": lambda: member(network, UserFactory(), ring="core", role="mentor").user,
        "a stranger": lambda: UserFactory(),
    }[who]()
    client.force_login(user)

    response = client.post(url(network, "decide", asked.pk), {"decision": "accept"})

    assert response.status_code == 403
    asked.refresh_from_db()
    assert asked.status == "pending"
    assert asked.decided_at is None
    asked.membership.refresh_from_db()
    assert asked.membership.ring == "interest"
    assert not asked.membership.moves.exists()


def test_an_anonymous_decision_is_sent_to_sign_in(client, network, asked):
    response = client.post(url(network, "decide", asked.pk), {"decision": "accept"})
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    asked.refresh_from_db()
    assert asked.status == "pending"


def test_deciding_twice_is_refused(client, network, asked, facilitator):
    client.force_login(facilitator)
    client.post(url(network, "decide", asked.pk), {"decision": "accept"})

    response = client.post(url(network, "decide", asked.pk), {"decision": "decline"})

    assert "This request has been decided already." in texts(response)
    asked.refresh_from_db()
    assert asked.status == "accepted"
    asked.membership.refresh_from_db()
    assert asked.membership.ring == "learning"
    assert asked.membership.moves.count() == 1
    with pytest.raises(ValueError, match="decided already"):
        services.decide(asked, accept=False, by=facilitator)


def test_deciding_works_in_a_thematic_network(client, curator, person):
    network = NetworkFactory(name="Loneliness", slug="loneliness")
    request = services.ask_to_join_learning(member(network, person), absolute=absolute)
    client.force_login(curator)
    client.post(url(network, "decide", request.pk), {"decision": "accept"})
    request.refresh_from_db()
    assert request.status == "accepted"
    assert request.membership.moves.get().to_ring == "learning"


def test_a_decision_must_be_accept_or_decline(client, network, asked, facilitator):
    client.force_login(facilitator)
    response = client.post(url(network, "decide", asked.pk), {"decision": "maybe"})
    assert response.status_code == 400
    asked.refresh_from_db()
    assert asked.status == "pending"


def test_a_request_of_another_network_is_not_found_here(client, network, asked, curator):
    elsewhere = NetworkFactory()
    client.force_login(curator)
    response = client.post(url(elsewhere, "decide", asked.pk), {"decision": "accept"})
    assert response.status_code == 404
    asked.refresh_from_db()
    assert asked.status == "pending"


# -- 5. The core ring, by invitation ----------------------------------------------------------


def test_a_facilitator_invites_and_the_member_sees_the_invitation(
    client, network, person, facilitator
):
    membership = member(network, person, ring="learning")
    client.force_login(facilitator)

    response = client.post(url(network, "invite", membership.pk), {"message": "Join us"})

    assert response.status_code == 302
    assert response["Location"] == url(network, "facilitate")
    invitation = membership.requests.get()
    assert (invitation.kind, invitation.ring, invitation.status) == (
        "invitation",
        "core",
        "pending",
    )
    assert (invitation.message, invitation.created_by) == ("Join us", facilitator)
    membership.refresh_from_db()
    assert membership.ring == "learning"  # nothing moves before the member accepts
    assert not membership.moves.exists()

    client.force_login(person)
    page = client.get(url(network, "detail")).content.decode()
    assert "You are invited into the core ring: “Join us”" in page
    assert url(network, "decide", invitation.pk) in page
    assert 'value="accept">Accept the invitation' in page


def test_a_member_matched_by_email_sees_the_invitation(client, network, person, curator):
    membership = services.enrol(
        network, email="ANA@Example.org", joined_through="registration", reason="Registered"
    )
    assert membership.user is None
    invitation = services.invite_to_core(membership, by=curator, absolute=absolute)
    client.force_login(person)  # ana@example.org, not linked to the membership

    page = client.get(url(network, "detail")).content.decode()

    assert "You are invited into the core ring" in page
    assert url(network, "decide", invitation.pk) in page


def test_nobody_else_sees_the_invitation(client, network, person, curator):
    invitation = services.invite_to_core(member(network, person), by=curator, absolute=absolute)
    for user in (curator, member(network, UserFactory()).user, UserFactory()):
        client.force_login(user)
        page = client.get(url(network, "detail")).content.decode()
        assert "You are invited" not in page
        assert url(network, "decide", invitation.pk) not in page


def test_the_invited_member_accepts_and_moves_into_the_core(client, network, person, facilitator):
    membership = member(network, person, ring="learning")
    invitation = services.invite_to_core(
        membership, by=facilitator, message="Join us", absolute=absolute
    )
    client.force_login(person)

    response = client.post(url(network, "decide", invitation.pk), {"decision": "accept"})

    assert response.status_code == 302
    assert response["Location"] == network.get_absolute_url()
    invitation.refresh_from_db()
    assert (invitation.status, invitation.decided_by) == ("accepted", person)
    assert invitation.decided_at is not None
    membership.refresh_from_db()
    assert membership.ring == "core"
    move = membership.moves.get()
    assert (move.from_ring, move.to_ring, move.moved_by) == ("learning", "core", person)
    assert move.reason
    page = client.get(url(network, "detail")).content.decode()
    assert "You are in the <strong>core network</strong>" in page
    assert "You are invited" not in page


def test_a_member_matched_by_email_accepts_an_invitation(client, network, person, curator):
    membership = services.enrol(
        network, email="ANA@Example.org", joined_through="registration", reason="Registered"
    )
    invitation = services.invite_to_core(membership, by=curator, absolute=absolute)
    client.force_login(person)  # ana@example.org, not linked to the membership

    client.post(url(network, "decide", invitation.pk), {"decision": "accept"})

    membership.refresh_from_db()
    assert membership.ring == "core"
    assert history(membership) == [("", "interest"), ("interest", "core")]
    assert membership.moves.order_by("moved_at", "pk").last().moved_by == person


def test_a_member_declines_an_invitation(client, network, person, curator):
    membership = member(network, person)
    invitation = services.invite_to_core(membership, by=curator, absolute=absolute)
    client.force_login(person)
    client.post(url(network, "decide", invitation.pk), {"decision": "decline"})
    invitation.refresh_from_db()
    assert (invitation.status, invitation.decided_by) == ("declined", person)
    membership.refresh_from_db()
    assert membership.ring == "interest"
    assert not membership.moves.exists()
    assert "You are invited" not in client.get(url(network, "detail")).content.decode()


@pytest.mark.parametrize(
    "who", ["a stranger", "another member", "the facilitator", "a curator", "the owner"]
)
def test_anyone_but_the_invited_member_deciding_an_invitation_is_forbidden(
    client, network, person, facilitator, curator, owner, who
):
    membership = member(network, person)
    invitation = services.invite_to_core(membership, by=facilitator, absolute=absolute)
    user = {
        "a stranger": lambda: UserFactory(),
        "another member": lambda: member(network, UserFactory()).user,
        "the facilitator": lambda: facilitator,
        "a curator": lambda: curator,
        "the owner": lambda: owner,
    }[who]()
    client.force_login(user)

    response = client.post(url(network, "decide", invitation.pk), {"decision": "accept"})

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    membership.refresh_from_db()
    assert membership.ring == "interest"
    assert not membership.moves.exists()


def test_only_the_invited_member_decides_an_invitation(
    network, person, facilitator, curator, owner
):
    membership = services.enrol(network, email="ANA@example.org", reason="Registered")
    invitation = services.invite_to_core(membership, by=facilitator, absolute=absolute)
    # matched by email (any case) while not linked...
    assert services.decides(invitation, person)
    # ...and by account once linked, whatever their email is now
    membership.user = person
    membership.save()
    person.email = "ana.new@example.org"
    person.save()
    invitation = RingRequest.objects.get(pk=invitation.pk)
    assert services.decides(invitation, person)
    # never on the member's behalf
    for user in (facilitator, curator, owner, member(network, UserFactory()).user, UserFactory()):
        assert not services.decides(invitation, user)


def test_an_invitation_is_not_decided_by_an_account_without_an_email(network, curator):
    membership = member(network, email="ana@example.org")
    invitation = services.invite_to_core(membership, by=curator, absolute=absolute)
    assert not services.decides(invitation, UserFactory(email=""))


@pytest.mark.parametrize("who", ["a member", "a stranger"])
def test_only_facilitators_invite(client, network, person, who):
    invited = member(network)
    user = person if who == "a stranger" else member(network, UserFactory()).user
    client.force_login(user)
    response = client.post(url(network, "invite", invited.pk), {"message": "Come in"})
    assert response.status_code == 403
    assert not RingRequest.objects.exists()


def test_invite_to_core_checks_the_facilitator_itself(network, person):
    invited = member(network)
    with pytest.raises(PermissionDenied):
        services.invite_to_core(invited, by=member(network, person).user, absolute=absolute)
    assert not RingRequest.objects.exists()


def test_a_core_member_or_one_already_waiting_is_not_invited(client, network, curator):
    core = member(network, ring="core")
    waiting = member(network)
    services.ask_to_join_learning(waiting, absolute=absolute)
    client.force_login(curator)

    first = client.post(url(network, "invite", core.pk))
    second = client.post(url(network, "invite", waiting.pk))

    assert "This member is in the core ring already." in texts(first)
    assert "A request is already waiting for a decision." in texts(second)
    assert not core.requests.exists()
    assert waiting.requests.get().kind == "request"


def test_confirming_a_registration_enrols_in_the_interest_ring(innovation, network):
    registration = RegistrationOfInterestFactory(
        innovation=innovation, name="Reg Istrant", email="reg@example.org"
    )
    adopter_services.confirm_registration(registration, absolute=lambda path: path)

    membership = Membership.objects.get(network=network)
    assert (membership.email, membership.name) == ("reg@example.org", "Reg Istrant")
    assert (membership.ring, membership.joined_through) == ("interest", "registration")
    assert membership.is_current
    (move,) = membership.moves.all()
    assert (move.from_ring, move.to_ring) == ("", "interest")
    assert move.reason


def test_confirming_a_registration_does_not_move_a_member_outwards(innovation, network):
    core = member(network, ring="core", email="reg@example.org")
    registration = RegistrationOfInterestFactory(innovation=innovation, email="REG@example.org")
    adopter_services.confirm_registration(registration, absolute=lambda path: path)
    core.refresh_from_db()
    assert (core.ring, core.joined_through) == ("core", "direct")
    assert Membership.objects.filter(network=network).count() == 1


def test_an_adoption_reaching_piloting_moves_its_contact_into_the_core(
    innovation, network, curator
):
    interested = services.enrol(network, email="jo@example.org", reason="Registered interest")
    adoption = AdoptionFactory(
        innovation=innovation, status="exploring", contact_name="Jo", contact_email="JO@example.org"
    )
    adopter_services.note_status(adoption)
    interested.refresh_from_db()
    assert interested.ring == "interest"  # exploring is not enough

    adopter_services.change_status(adoption, "piloting", by=curator)

    interested.refresh_from_db()
    assert interested.ring == "core"
    assert history(interested) == [("", "interest"), ("interest", "core")]
    move = interested.moves.order_by("moved_at", "pk").last()
    assert move.moved_by == curator
    assert "piloting" in move.reason


# -- 6. Moving several members at once --------------------------------------------------------


def test_a_facilitator_moves_several_members_at_once(client, network, facilitator):
    a = member(network, name="A")
    b = member(network, name="B")
    c = member(network, name="C")  # not ticked
    client.force_login(facilitator)

    response = client.post(
        url(network, "move"),
        {"members": [a.pk, b.pk], "ring": "learning", "reason": "Came to the first workshop"},
    )

    assert response.status_code == 302
    assert response["Location"] == url(network, "facilitate")
    assert "Moved 2 members to the learning network." in texts(response)
    for moved in (a, b):
        moved.refresh_from_db()
        assert moved.ring == "learning"
        (move,) = moved.moves.all()
        assert (move.from_ring, move.to_ring, move.reason, move.moved_by) == (
            "interest",
            "learning",
            "Came to the first workshop",
            facilitator,
        )
    c.refresh_from_db()
    assert c.ring == "interest"
    assert not c.moves.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_moving_without_a_reason_moves_nobody(client, network, curator, reason):
    a, b = member(network), member(network)
    client.force_login(curator)

    response = client.post(
        url(network, "move"), {"members": [a.pk, b.pk], "ring": "learning", "reason": reason}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    assert "There is a problem" in page
    assert "Say why they are moving" in page
    # the ticked members stay ticked
    assert f'value="{a.pk}" id="member-{a.pk}" checked' in page
    assert Membership.objects.filter(ring="learning").count() == 0
    assert not RingMove.objects.exists()


def test_a_move_with_problems_links_each_to_its_first_input(client, network, curator):
    """GOV.UK: the error summary leads to the first box of the members (not the error message),
    and the group of boxes is described by its error message."""
    later = member(network, name="Later", ring="interest", joined_on=datetime.date(2020, 1, 1))
    first = member(network, name="First", ring="core", joined_on=datetime.date(2022, 1, 1))
    client.force_login(curator)

    response = client.post(url(network, "move"), {})

    assert response.status_code == 400
    root = html.page(response)
    assert html.assert_error_links_reach_inputs(root) == [
        f"#member-{first.pk}",  # the core ring comes first on the page
        "#id_ring",
        "#id_reason",
    ]
    boxes = [dict(i.attributes)["id"] for i in html.elements(root, "input", name="members")]
    assert boxes == [f"member-{first.pk}", f"member-{later.pk}"]
    (fieldset,) = [
        f
        for f in html.elements(root, "fieldset")
        if list(html.elements(f, "input", name="members"))
    ]
    described = dict(fieldset.attributes)["aria-describedby"].split()
    assert "id_members-error" in described
    (error,) = html.elements(root, "p", id="id_members-error")
    assert "Select the members to move" in html.text(error)
    assert not RingMove.objects.exists()


def test_with_nobody_to_tick_the_members_problem_links_nowhere(client, network, curator):
    client.force_login(curator)

    response = client.post(url(network, "move"), {"ring": "core", "reason": "Because"})

    assert response.status_code == 400
    root = html.page(response)
    assert html.error_summary_targets(root) == []
    assert "Select the members to move" in html.text(root)


def test_move_members_checks_reason_ring_and_facilitator_itself(network, curator):
    a = member(network)
    with pytest.raises(ValueError, match="why"):
        services.move_members(network, [a.pk], "core", reason="  ", by=curator)
    with pytest.raises(ValueError, match="ring"):
        services.move_members(network, [a.pk], "outer", reason="Because", by=curator)
    with pytest.raises(PermissionDenied):
        services.move_members(network, [a.pk], "core", reason="Because", by=UserFactory())
    a.refresh_from_db()
    assert a.ring == "interest"
    assert not RingMove.objects.exists()


def test_moving_with_nobody_ticked_is_refused(client, network, curator):
    a = member(network)
    client.force_login(curator)
    response = client.post(url(network, "move"), {"ring": "core", "reason": "Why not"})
    assert response.status_code == 400
    assert "Select the members to move" in response.content.decode()
    a.refresh_from_db()
    assert a.ring == "interest"
    assert not RingMove.objects.exists()


def test_moving_to_an_unknown_ring_is_refused(client, network, curator):
    a = member(network)
    client.force_login(curator)
    response = client.post(
        url(network, "move"), {"members": [a.pk], "ring": "outer", "reason": "x"}
    )
    assert response.status_code == 400
    a.refresh_from_db()
    assert a.ring == "interest"


def test_members_of_another_network_are_not_moved(client, network, facilitator):
    here = member(network)
    elsewhere = member(NetworkFactory())
    client.force_login(facilitator)

    response = client.post(
        url(network, "move"),
        {"members": [here.pk, elsewhere.pk], "ring": "core", "reason": "Piloting"},
    )

    assert response.status_code == 400
    elsewhere.refresh_from_db()
    here.refresh_from_db()
    assert (here.ring, elsewhere.ring) == ("interest", "interest")
    assert not RingMove.objects.exists()
    # nor through the service
    assert services.move_members(network, [elsewhere.pk], "core", reason="x", by=facilitator) == 0
    elsewhere.refresh_from_db()
    assert elsewhere.ring == "interest"


def test_members_who_left_are_not_moved(client, network, curator):
    gone = member(network, left_on=datetime.date(2022, 1, 1))
    client.force_login(curator)
    response = client.post(
        url(network, "move"), {"members": [gone.pk], "ring": "core", "reason": "x"}
    )
    assert response.status_code == 400
    gone.refresh_from_db()
    assert gone.ring == "interest"


def test_moving_outwards_works_too(client, network, owner):
    a = member(network, ring="core")
    b = member(network, ring="learning")
    client.force_login(owner)

    client.post(
        url(network, "move"),
        {"members": [a.pk, b.pk], "ring": "interest", "reason": "Pilot paused"},
    )

    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.ring, b.ring) == ("interest", "interest")
    assert history(a) == [("core", "interest")]
    assert history(b) == [("learning", "interest")]
    assert a.moves.get().reason == "Pilot paused"


def test_members_already_in_the_ring_are_not_counted_or_moved(client, network, curator):
    a = member(network, ring="learning")
    b = member(network, ring="interest")
    client.force_login(curator)
    response = client.post(
        url(network, "move"), {"members": [a.pk, b.pk], "ring": "learning", "reason": "Workshop"}
    )
    assert "Moved 1 member to the learning network." in texts(response)
    assert not a.moves.exists()
    assert b.moves.count() == 1


@pytest.mark.parametrize("who", ["a member", "a stranger"])
def test_only_facilitators_move_members(client, network, who):
    a = member(network)
    user = member(network, UserFactory()).user if who == "a member" else UserFactory()
    client.force_login(user)
    response = client.post(url(network, "move"), {"members": [a.pk], "ring": "core", "reason": "x"})
    assert response.status_code == 403
    a.refresh_from_db()
    assert a.ring == "interest"
    assert not RingMove.objects.exists()


def test_an_anonymous_move_is_sent_to_sign_in(client, network):
    a = member(network)
    response = client.post(url(network, "move"), {"members": [a.pk], "ring": "core", "reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    a.refresh_from_db()
    assert a.ring == "interest"


# -- 7. Who sees the facilitator's page -------------------------------------------------------


FACILITATOR_PAGES = ["facilitate", "members-csv"]


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
@pytest.mark.parametrize(
    "who", ["someone signed in", "a plain member", "a mentor", "a facilitator who left"]
)
def test_the_facilitators_pages_are_forbidden_to_others(client, network, page, who):
    user = UserFactory()
    if who == "a plain member":
        member(network, user, ring="core")
    elif who == "a mentor":
        member(network, user, role="mentor")
    elif who == "a facilitator who left":
        member(network, user, role="facilitator", left_on=datetime.date(2022, 1, 1))
    client.force_login(user)
    assert client.get(url(network, page)).status_code == 403


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
def test_a_facilitator_of_another_network_is_forbidden(client, network, page):
    user = UserFactory()
    member(NetworkFactory(), user, role="facilitator")
    client.force_login(user)
    assert client.get(url(network, page)).status_code == 403


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
def test_the_facilitators_pages_need_signing_in(client, network, page):
    response = client.get(url(network, page))
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
@pytest.mark.parametrize("who", ["curator", "owner", "facilitator"])
def test_curators_owners_and_facilitators_see_the_facilitators_pages(
    client, network, page, who, request
):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url(network, page))
    assert response.status_code == 200


def test_only_facilitators_are_offered_the_facilitators_page(client, network, person, facilitator):
    member(network, person)
    client.force_login(person)
    assert url(network, "facilitate") not in client.get(url(network, "detail")).content.decode()
    client.force_login(facilitator)
    assert url(network, "facilitate") in client.get(url(network, "detail")).content.decode()


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_lists_current_members_only_under_a_header(client, network, curator):
    member(network, name="Ana Current", email="ana@example.org", ring="core", listed_publicly=True)
    member(network, name="Bo Current", email="bo@example.org", joined_through="registration")
    member(network, name="Cy Gone", email="cy@example.org", left_on=datetime.date(2022, 1, 1))
    client.force_login(curator)

    response = client.get(url(network, "members-csv"))

    assert f'filename="{network.slug}-members.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header == [
        "name",
        "email",
        "ring",
        "role",
        "joined on",
        "joined through",
        "listed publicly",
    ]
    assert sorted(rows) == [
        [
            "Ana Current",
            "ana@example.org",
            "Core network",
            "Member",
            "2021-01-01",
            "Joined directly",
            "yes",
        ],
        [
            "Bo Current",
            "bo@example.org",
            "Interest network",
            "Member",
            "2021-01-01",
            "Registration of interest",
            "no",
        ],
    ]


def test_the_csv_escapes_cells_a_spreadsheet_would_run(client, network, curator):
    member(network, name='=HYPERLINK("http://evil")', email="eve@example.org")
    member(network, name="+1 plus", email="plus@example.org")
    client.force_login(curator)

    _, *rows = csv_rows(client.get(url(network, "members-csv")))

    names = sorted(row[0] for row in rows)
    assert names == ["'+1 plus", '\'=HYPERLINK("http://evil")']
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# -- 8. The graduation funnel -----------------------------------------------------------------


def at(membership, when) -> None:
    """Date the membership's latest move."""
    latest = membership.moves.order_by("-moved_at", "-pk").first()
    RingMove.objects.filter(pk=latest.pk).update(moved_at=when)


JANUARY = datetime.datetime(2024, 1, 15, 12, tzinfo=datetime.UTC)
FEBRUARY = datetime.datetime(2024, 2, 14, 12, tzinfo=datetime.UTC)


@pytest.fixture
def funnel_network(network, curator):
    """January: three join, one goes interest → learning.
    February: two join; one interest → learning, one learning → core, one interest → core,
    one core → interest (outwards: not counted), and one joins the core directly (a joining)."""

    def join(email, when, ring="interest"):
        m = services.enrol(network, email=email, ring=ring, reason="Joined")
        at(m, when)
        return m

    def move(m, ring, when):
        services.move(m, ring, reason="Moved", by=curator)
        at(m, when)

    a = join("a@example.org", JANUARY)
    b = join("b@example.org", JANUARY)
    c = join("c@example.org", JANUARY)
    move(a, "learning", JANUARY)

    d = join("d@example.org", FEBRUARY)
    join("e@example.org", FEBRUARY, ring="core")
    move(b, "learning", FEBRUARY)
    move(a, "core", FEBRUARY)
    move(c, "core", FEBRUARY)
    move(d, "core", FEBRUARY + datetime.timedelta(hours=1))
    move(d, "interest", FEBRUARY + datetime.timedelta(hours=2))
    # another network's moves are not counted
    other = services.enrol(NetworkFactory(), email="z@example.org", reason="Joined")
    at(other, FEBRUARY)
    return network


def test_the_funnel_counts_each_month_newest_first(funnel_network):
    rows = services.funnel(funnel_network)

    assert [
        (
            timezone.localtime(row["month"]).strftime("%Y-%m"),
            row["joined"],
            row["to_learning"],
            row["to_core"],
        )
        for row in rows
    ] == [
        ("2024-02", 2, 1, 3),
        ("2024-01", 3, 1, 0),
    ]


def test_the_funnel_of_a_network_without_moves_is_empty(network):
    assert services.funnel(network) == []


def test_the_facilitators_page_shows_the_funnel(client, funnel_network, curator):
    client.force_login(curator)
    page = client.get(url(funnel_network, "facilitate")).content.decode()
    rows = re.findall(
        r'<th scope="row" class="govuk-table__header">(\w+ \d{4})</th>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        page,
    )
    assert rows == [("February 2024", "2", "1", "3"), ("January 2024", "3", "1", "0")]


def test_the_facilitators_page_says_when_there_are_no_moves(client, network, curator):
    client.force_login(curator)
    assert "No moves yet." in client.get(url(network, "facilitate")).content.decode()


# -- 9. Query counts --------------------------------------------------------------------------


def populate(network, count: int, start: int) -> None:
    """`count` members spread over the rings, each with an account, listed publicly, some
    waiting on a request or an invitation."""
    for n in range(start, start + count):
        ring = ("interest", "learning", "core")[n % 3]
        user = UserFactory(username=f"m{n}")
        m = member(network, user, ring=ring, name=f"Member {n}", listed_publicly=True)
        if ring == "interest" and n % 2:
            pending(m, message=f"Please {n}")
        elif ring == "learning" and n % 2:
            pending(m, kind="invitation", ring="core")


def queries(client, path: str) -> tuple[int, str]:
    client.get(path)  # warm any per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("who", ["curator", "owner", "facilitator"])
def test_the_facilitators_page_queries_do_not_grow_with_members(client, network, who, request):
    client.force_login(request.getfixturevalue(who))
    populate(network, 3, 0)
    few, page = queries(client, url(network, "facilitate"))
    assert "Member 2" in page

    populate(network, 27, 3)
    many, page = queries(client, url(network, "facilitate"))

    assert "Member 29" in page
    assert page.count('name="members"') >= 30
    assert many == few


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_the_public_page_queries_do_not_grow_with_members(client, network, who):
    if who == "member":
        user = UserFactory()
        services.ask_to_join_learning(member(network, user), absolute=absolute)
        client.force_login(user)
    populate(network, 3, 0)
    few, page = queries(client, url(network, "detail"))
    assert "Member 2" in page

    populate(network, 27, 3)
    many, page = queries(client, url(network, "detail"))

    assert "Member 29" in page
    assert many == few


def test_the_listing_queries_do_not_grow_with_networks(client):
    for _ in range(3):
        services.ensure_innovation_network(InnovationFactory())
        NetworkFactory()
    few, _ = queries(client, reverse("networks:list"))
    for _ in range(20):
        services.ensure_innovation_network(InnovationFactory())
        NetworkFactory()
    many, _ = queries(client, reverse("networks:list"))
    assert many == few


# -- 10. The public pages ---------------------------------------------------------------------


def test_the_public_page_lists_current_members_who_chose_to_be_listed_without_emails(
    client, network, person
):
    member(
        network,
        name="Ana Listed",
        email="ana.listed@example.org",
        ring="core",
        listed_publicly=True,
    )
    member(network, name="Bo Unlisted", email="bo.unlisted@example.org")
    member(
        network,
        name="Cy Gone",
        email="cy.gone@example.org",
        listed_publicly=True,
        left_on=datetime.date(2022, 1, 1),
    )
    member(network, name="", email="nameless@example.org", listed_publicly=True)
    member(
        network,
        name="Fi Facilitator",
        email="fi@example.org",
        role="facilitator",
        ring="learning",
        listed_publicly=True,
    )

    for signed_in in (False, True):
        if signed_in:
            client.force_login(person)
        page = client.get(url(network, "detail")).content.decode()
        assert "Ana Listed" in page
        assert "Fi Facilitator (facilitator)" in page
        assert "A member" in page  # listed without a name
        assert "Bo Unlisted" not in page
        assert "Cy Gone" not in page
        for email in (
            "ana.listed@example.org",
            "bo.unlisted@example.org",
            "cy.gone@example.org",
            "nameless@example.org",
            "fi@example.org",
        ):
            assert email not in page
        # the ring sizes count current members, listed or not
        assert ring_size(page, "Core network") == 1
        assert ring_size(page, "Learning network") == 1
        assert ring_size(page, "Interest network") == 2


def test_the_listed_are_shown_under_their_ring(client, network):
    member(network, name="Cora Core", ring="core", listed_publicly=True)
    member(network, name="Ivan Interest", ring="interest", listed_publicly=True)
    page = client.get(url(network, "detail")).content.decode()
    section = page[page.index('id="members"') :]
    core = section.index('<h3 class="govuk-heading-s">Core network</h3>')
    learning = section.index('<h3 class="govuk-heading-s">Learning network</h3>')
    interest = section.index('<h3 class="govuk-heading-s">Interest network</h3>')
    assert core < section.index("Cora Core") < learning < interest < section.index("Ivan Interest")


def test_a_member_chooses_to_be_listed_and_to_stop(client, network, person):
    membership = member(network, person, name="Ana Ito")
    client.force_login(person)
    assert "Ana Ito" not in client.get(url(network, "detail")).content.decode()

    response = client.post(url(network, "listing"), {"listed": "yes"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.listed_publicly
    client.logout()
    assert "Ana Ito" in client.get(url(network, "detail")).content.decode()

    client.force_login(person)
    client.post(url(network, "listing"), {"listed": "no"})

    membership.refresh_from_db()
    assert not membership.listed_publicly
    client.logout()
    assert "Ana Ito" not in client.get(url(network, "detail")).content.decode()


def test_leaving_stops_the_listing(client, network, person):
    membership = member(network, person, name="Ana Ito", listed_publicly=True)
    client.force_login(person)
    client.post(url(network, "leave"))
    membership.refresh_from_db()
    assert not membership.listed_publicly
    assert "Ana Ito" not in client.get(url(network, "detail")).content.decode()


def test_only_current_members_choose_a_listing(client, network, person):
    gone = member(network, person, left_on=datetime.date(2022, 1, 1))
    client.force_login(person)
    assert client.post(url(network, "listing"), {"listed": "yes"}).status_code == 403
    gone.refresh_from_db()
    assert not gone.listed_publicly
    client.force_login(UserFactory())
    assert client.post(url(network, "listing"), {"listed": "yes"}).status_code == 403


def test_the_listing_shows_thematic_networks_and_those_of_published_innovations(client):
    NetworkFactory(name="Loneliness and isolation", slug="loneliness")
    published = services.ensure_innovation_network(InnovationFactory(title="Published idea"))
    draft = services.ensure_innovation_network(InnovationFactory(title="Draft idea", draft=True))
    member(published, ring="core")
    member(published)
    member(published, left_on=datetime.date(2022, 1, 1))

    response = client.get(reverse("networks:list"))

    assert response.status_code == 200
    page = response.content.decode()
    thematic = page[page.index('id="thematic"') : page.index('id="around"')]
    around = page[page.index('id="around"') :]
    assert "Loneliness and isolation" in thematic
    assert "Published idea" in around
    assert "Published idea</a>: 1 core, 0 learning, 1 interest" in around
    assert "Published idea" not in thematic
    assert "Draft idea" not in page
    assert draft.get_absolute_url() not in page


def test_an_account_without_an_email_cannot_join_nor_take_over_another(client):
    from networks.models import Membership
    from networks.services import ensure_innovation_network
    from tests.factories import InnovationFactory, UserFactory

    network = ensure_innovation_network(InnovationFactory(title="Homeshare"))
    first, second = UserFactory(email=""), UserFactory(email="")
    for user in (first, second):
        client.force_login(user)
        response = client.post(f"/networks/{network.slug}/join/", follow=True)
        assert "has no email address" in response.content.decode()
    assert not Membership.objects.exists()


def test_a_facilitator_who_leaves_and_rejoins_is_a_plain_member(client):
    from networks.services import ensure_innovation_network, facilitates
    from tests.factories import InnovationFactory, MembershipFactory, UserFactory

    network = ensure_innovation_network(InnovationFactory(title="Homeshare"))
    fay = UserFactory()
    MembershipFactory(network=network, email=fay.email, user=fay, role="facilitator")
    client.force_login(fay)
    client.post(f"/networks/{network.slug}/leave/")
    client.post(f"/networks/{network.slug}/join/")
    assert not facilitates(network, fay)
    assert client.get(f"/networks/{network.slug}/members.csv").status_code == 403


def test_a_move_withdraws_what_was_waiting_so_a_stale_request_cannot_move_back(curator):
    from networks import services
    from networks.models import RingRequest
    from networks.services import enrol, ensure_innovation_network
    from tests.factories import InnovationFactory

    network = ensure_innovation_network(InnovationFactory(title="Homeshare"))
    member = enrol(network, email="ada@example.org", reason="Joined.")
    request = services.ask_to_join_learning(member, absolute=absolute)
    services.move_members(network, [member.pk], "core", reason="Started a pilot.", by=curator)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    with pytest.raises(ValueError, match="decided already"):
        services.decide(request, accept=True, by=curator)
    member.refresh_from_db()
    assert member.ring == "core"
    assert not RingRequest.objects.filter(status="pending").exists()


def test_odd_digits_in_ids_are_not_found_rather_than_a_500(client, curator):
    from networks.services import ensure_innovation_network
    from tests.factories import InnovationFactory

    innovation = InnovationFactory(title="Homeshare", slug="homeshare")
    ensure_innovation_network(innovation)
    client.force_login(curator)
    assert client.get("/innovations/homeshare/adopt/?registration=%C2%B2").status_code == 404


def test_a_member_sees_their_own_history_with_the_reasons(client, network, person, facilitator):
    membership = services.join(network, person)
    services.move(membership, "learning", reason="Runs a pilot in Leeds.", by=facilitator)
    client.force_login(person)
    page = html.text(html.page(client.get(url(network, "detail"))))
    assert "Your history in this network" in page
    assert "joined the interest network. Joined from the network's page." in page
    assert "from the interest network to the learning network. Runs a pilot in Leeds." in page

    client.force_login(UserFactory(username="someone-else"))
    assert "Runs a pilot in Leeds." not in client.get(url(network, "detail")).content.decode()


def test_the_innovation_page_shows_the_true_ring_sizes(client, innovation, network):
    """Current members only, each counted in their own ring, and nobody from another network."""
    for ring, how_many in (("core", 1), ("learning", 2), ("interest", 3)):
        for _ in range(how_many):
            member(network, ring=ring)
    member(network, ring="core", left_on=datetime.date(2025, 1, 1))
    member(services.ensure_innovation_network(InnovationFactory()), ring="core")
    page = html.page(client.get(innovation.get_absolute_url()))
    section = next(html.elements(page, "section", aria_labelledby="network"))
    rows = {
        html.text(next(html.elements(row, "dt"))): html.text(next(html.elements(row, "dd")))
        for row in html.elements(section, "div", class_="govuk-summary-list__row")
    }
    sizes = {label: int(value.split()[0]) for label, value in rows.items()}
    assert sizes == {"Core network": 1, "Learning network": 2, "Interest network": 3}


# -- Notices ----------------------------------------------------------------------------------


def test_the_invited_member_is_told_by_email(
    client, network, person, facilitator, mailoutbox, django_capture_on_commit_callbacks
):
    membership = member(network, person, ring="learning")
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(network, "invite", membership.pk), {"message": "Join us in Leeds"})
    (sent,) = mailoutbox
    assert sent.to == [person.email]
    assert "invite you into its core ring" in sent.body
    assert "Join us in Leeds" in sent.body
    assert f"http://testserver{url(network, 'detail')}" in sent.body


def test_the_facilitators_hear_of_a_request(
    client, network, owner, person, facilitator, mailoutbox, django_capture_on_commit_callbacks
):
    member(network, person)
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(network, "ask"), {"message": "We run a lunch club"})
    recipients = sorted(address for sent in mailoutbox for address in sent.to)
    facilitator_email = network.memberships.get(role="facilitator").email
    assert recipients == sorted([facilitator_email, owner.email])
    assert all("We run a lunch club" in sent.body for sent in mailoutbox)
    assert all(f"http://testserver{url(network, 'facilitate')}" in s.body for s in mailoutbox)


def test_a_refused_request_tells_nobody(
    client, network, person, facilitator, mailoutbox, django_capture_on_commit_callbacks
):
    member(network, person, ring="core")
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(network, "ask"), {"message": "Again"})
    assert mailoutbox == []

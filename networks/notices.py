"""Telling people what a network is waiting for them to do: a member invited into the core,
the facilitators of a request or of a newcomer asking for a mentor, both sides of a pairing.

Sent through the outbox (kernel/outbox.py) once the change commits, so a mail failure loses
nothing. `absolute` makes a path a full address (the view's `request.build_absolute_uri`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from catalogue.services import curator_addresses
from kernel import outbox
from networks.choices import Role
from networks.models import Membership, Mentoring, Network, RingRequest

Absolute = Callable[[str], str]


def facilitators(network: Network) -> list[str]:
    """Who runs the network, by address: its facilitators and the innovation's owners; failing
    both, the curators."""
    addresses = set(
        network.memberships.filter(role=Role.FACILITATOR, left_on__isnull=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if network.innovation is not None:
        addresses |= set(
            network.innovation.owners.filter(is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if not addresses:
        addresses = set(curator_addresses())
    return sorted(addresses, key=str.lower)


def _send(to: Iterable[str], subject: str, template: str, context: dict) -> None:
    body = render_to_string(
        f"networks/email/{template}", {**context, "SITE_NAME": settings.SITE_NAME}
    )
    for address in to:
        outbox.queue(address, subject, body)


def invitation_sent(invitation: RingRequest, absolute: Absolute) -> None:
    member = invitation.membership
    network = member.network
    _send(
        [member.email],
        f"You are invited into the core of {network.name}",
        "invitation.txt",
        {"invitation": invitation, "member": member, "link": absolute(network.get_absolute_url())},
    )


def request_waiting(ring_request: RingRequest, absolute: Absolute) -> None:
    _tell_facilitators(
        ring_request.membership,
        f"asks to join the {ring_request.ring} ring of",
        "request_waiting.txt",
        {"request": ring_request},
        absolute,
    )


def mentor_asked(mentoring: Mentoring, absolute: Absolute) -> None:
    _tell_facilitators(
        mentoring.mentee,
        "asks for a mentor in",
        "mentor_asked.txt",
        {"mentoring": mentoring},
        absolute,
    )


def _tell_facilitators(
    member: Membership, asks: str, template: str, context: dict, absolute: Absolute
) -> None:
    network = member.network
    _send(
        facilitators(network),
        f"{member.name or 'A member'} {asks} {network.name}",
        template,
        {
            **context,
            "member": member,
            "link": absolute(reverse("networks:facilitate", args=[network.slug])),
        },
    )


def paired(mentoring: Mentoring, absolute: Absolute) -> None:
    mentee, mentor = mentoring.mentee, mentoring.mentor
    if mentor is None:
        raise ValueError("Nobody is paired with this newcomer yet.")
    network = mentee.network
    link = absolute(network.get_absolute_url())
    for person, other, as_mentor in ((mentee, mentor, False), (mentor, mentee, True)):
        _send(
            [person.email],
            f"Your mentoring pair in {network.name}",
            "paired.txt",
            {
                "person": person,
                "other": other,
                "as_mentor": as_mentor,
                "network": network,
                "mentoring": mentoring,
                "link": link,
            },
        )

"""The networks' rules: every published innovation has its nested rings."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from catalogue.models import Innovation
from catalogue.utils import unique_slug
from networks.choices import JoinedThrough, Ring
from networks.models import Membership, Network, RingMove


def ensure_innovation_network(innovation: Innovation) -> Network:
    """The network around an innovation, created the first time it is needed."""
    network = Network.objects.filter(innovation=innovation).first()
    if network is None:
        network = Network.objects.create(
            innovation=innovation,
            name=innovation.title,
            slug=unique_slug(Network, innovation.slug),
        )
    return network


@transaction.atomic
def enrol(
    network: Network,
    *,
    email: str,
    name: str = "",
    ring: str = Ring.INTEREST,
    joined_through: str = JoinedThrough.DIRECT,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> Membership:
    """Make the person (by email, in any case) a current member of the network.

    Someone already in the network keeps their ring: joining the interest ring again never
    moves a core member outwards. Someone who had left comes back into `ring`, and the return
    is kept in their history like the first joining.
    """
    membership = (
        Membership.objects.select_for_update().filter(network=network, email__iexact=email).first()
    )
    today = timezone.localdate()
    if membership is not None and membership.is_current:
        return membership
    if membership is None:
        membership = Membership(network=network, email=email, joined_on=today)
    membership.name = membership.name or name
    membership.ring = ring
    membership.joined_through = joined_through
    membership.joined_on = today
    membership.left_on = None
    membership.save()
    RingMove.objects.create(
        membership=membership,
        to_ring=ring,
        moved_at=timezone.now(),
        moved_by=by if by is not None and by.is_authenticated else None,
        reason=reason,
    )
    return membership


@transaction.atomic
def move(
    membership: Membership, ring: str, *, reason: str, by: AbstractBaseUser | None = None
) -> Membership:
    """Move a member to another ring, keeping the dated move and why in their history."""
    if not reason.strip():
        raise ValueError("A move between rings needs a reason.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ring == ring:
        return membership
    RingMove.objects.create(
        membership=membership,
        from_ring=membership.ring,
        to_ring=ring,
        moved_at=timezone.now(),
        moved_by=by if by is not None and by.is_authenticated else None,
        reason=reason,
    )
    membership.ring = ring
    membership.save(update_fields=["ring", "updated_at"])
    return membership


@transaction.atomic
def bring_into_core(
    network: Network,
    *,
    email: str,
    name: str = "",
    joined_through: str,
    reason: str,
    by: AbstractBaseUser | None = None,
) -> Membership:
    """Make the person a member of the core ring: joining it, or moving in from an outer ring."""
    membership = enrol(
        network,
        email=email,
        name=name,
        ring=Ring.CORE,
        joined_through=joined_through,
        reason=reason,
        by=by,
    )
    return move(membership, Ring.CORE, reason=reason, by=by)

"""How the networks follow what happens in the catalogue and among adopters: connected in
NetworksConfig.ready(), to the signals those apps send (catalogue/signals.py,
adopters/signals.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from adopters.models import Adoption, RegistrationOfInterest
from adopters.signals import adoption_status_noted, adoption_verified, interest_confirmed
from catalogue.choices import ModerationStatus
from catalogue.models import ACTIVE_ADOPTION_STATUSES, Innovation
from catalogue.signals import innovation_published
from kernel.urls import site_absolute
from networks.choices import JoinedThrough, Ring
from networks.models import Network
from networks.services import (
    ask_to_join_core,
    bring_into_core,
    enrol,
    ensure_innovation_network,
    facilitates,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@receiver(innovation_published, dispatch_uid="networks.publishing_creates_the_network")
def publishing_creates_the_network(innovation: Innovation, **kwargs: Any) -> None:
    """Every published innovation has its learning network, from the moment it is published."""
    ensure_innovation_network(innovation)


@receiver(interest_confirmed, dispatch_uid="networks.confirmed_interest_joins_the_network")
def confirmed_interest_joins_the_network(
    registration: RegistrationOfInterest, **kwargs: Any
) -> None:
    """Someone who confirmed their interest in a published innovation joins its interest ring
    (unless they are in its network already)."""
    innovation = registration.innovation
    if not innovation.is_published:
        return
    enrol(
        ensure_innovation_network(innovation),
        email=registration.email,
        name=registration.name,
        ring=Ring.INTEREST,
        joined_through=JoinedThrough.REGISTRATION,
        reason="Confirmed a registration of interest.",
    )


@receiver(adoption_status_noted, dispatch_uid="networks.adopters_move_inwards")
def adopters_move_inwards(adoption: Adoption, by: User | None = None, **kwargs: Any) -> None:
    """An adoption that has reached piloting (or gone further) brings its contact into the core
    ring of the innovation's learning network when it is verified, or when the step comes from
    someone who runs the network (an owner, a facilitator, a curator). A contact who records
    their own adoption, not verified yet, joins the interest ring and asks to join the core:
    the facilitators decide. Anyone else recording an adoption moves nobody: a stranger's
    address is not enrolled without their consent."""
    network = _network_to_join(adoption)
    if network is None:
        return
    if adoption.verified or (by is not None and facilitates(network, by)):
        _into_core(network, adoption, by)
        return
    own = by is not None and bool(by.email) and by.email.lower() == adoption.contact_email.lower()
    if own:
        membership = enrol(
            network,
            email=adoption.contact_email,
            name=adoption.contact_name,
            ring=Ring.INTEREST,
            joined_through=JoinedThrough.ADOPTION,
            reason="Recorded their adoption of it.",
            by=by,
        )
        ask_to_join_core(
            membership,
            message=f"Their adoption at {adoption.organisation} reached "
            f"{adoption.get_status_display().lower()}; a curator has not verified it yet.",
            absolute=site_absolute,
        )


@receiver(adoption_verified, dispatch_uid="networks.verified_adopters_join_the_core")
def verified_adopters_join_the_core(adoption: Adoption, by: User, **kwargs: Any) -> None:
    """A curator's verification of an adoption that has reached piloting brings its contact
    into the core ring (settling a request of theirs that was waiting)."""
    network = _network_to_join(adoption)
    if network is not None:
        _into_core(network, adoption, by)


def _network_to_join(adoption: Adoption) -> Network | None:
    """The network an adoption's contact would join: that of its innovation, when published,
    and only for an adoption that has reached piloting and names a contact."""
    if adoption.status not in ACTIVE_ADOPTION_STATUSES or not adoption.contact_email:
        return None
    return Network.objects.filter(
        innovation_id=adoption.innovation_id, innovation__status=ModerationStatus.PUBLISHED
    ).first()


def _into_core(network: Network, adoption: Adoption, by: User | None) -> None:
    bring_into_core(
        network,
        email=adoption.contact_email,
        name=adoption.contact_name,
        joined_through=JoinedThrough.ADOPTION,
        reason=f"Their adoption reached {adoption.get_status_display().lower()}"
        + (" and was verified." if adoption.verified else "."),
        by=by,
    )

"""How the networks follow what happens in the catalogue and among adopters: connected in
NetworksConfig.ready(), to the signals those apps send (catalogue/signals.py,
adopters/signals.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.dispatch import receiver

from adopters.models import Adoption, RegistrationOfInterest
from adopters.signals import adoption_status_noted, interest_confirmed
from catalogue.choices import ModerationStatus
from catalogue.models import ACTIVE_ADOPTION_STATUSES, Innovation
from catalogue.signals import innovation_published
from networks.choices import JoinedThrough, Ring
from networks.models import Network
from networks.services import bring_into_core, enrol, ensure_innovation_network, facilitates

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
    ring of the innovation's learning network, when the contact recorded it themselves or the
    change comes from someone who runs the network (an owner, a facilitator, a curator)."""
    if adoption.status not in ACTIVE_ADOPTION_STATUSES or not adoption.contact_email:
        return
    network = Network.objects.filter(
        innovation_id=adoption.innovation_id, innovation__status=ModerationStatus.PUBLISHED
    ).first()
    if network is None:
        return
    # Only the contact themselves, or someone who runs the network, brings an address into
    # its core: anyone else recording an adoption cannot enrol a stranger without consent.
    own = by is not None and bool(by.email) and by.email.lower() == adoption.contact_email.lower()
    if own or (by is not None and facilitates(network, by)):
        bring_into_core(
            network,
            email=adoption.contact_email,
            name=adoption.contact_name,
            joined_through=JoinedThrough.ADOPTION,
            reason=f"Their adoption reached {adoption.get_status_display().lower()}.",
            by=by,
        )

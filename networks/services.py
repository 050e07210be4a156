"""The networks' rules: every published innovation has its nested rings; people join the
outer ring, ask or are invited inwards, and every move between rings is kept with its reason.

Views, the API, admin actions and other apps' services call these; none re-implements them.
The services tell people by email what waits for them (networks/notices.py, through the
outbox); `absolute` makes a path a full address for those emails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from catalogue import services as catalogue_services
from catalogue.models import Innovation
from kernel.audit import audited
from kernel.text import unique_slug
from networks import notices
from networks.choices import JoinedThrough, RequestKind, RequestStatus, Ring, Role
from networks.models import Membership, Mentoring, Network, RingMove, RingRequest
from networks.notices import Absolute

if TYPE_CHECKING:
    from django.contrib.auth.models import User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


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
    by: User | None = None,
) -> Membership:
    """Make the person (by email, in any case) a current member of the network.

    Someone already in the network keeps their ring: joining the interest ring again never
    moves a core member outwards. Someone who had left comes back into `ring`, and the return
    is kept in their history like the first joining.
    """
    today = timezone.localdate()
    existing = Membership.objects.select_for_update().filter(network=network, email__iexact=email)
    membership = existing.first()
    if membership is None:
        try:
            # Two joinings at once (a double click, a confirmation as an adoption lands): the
            # database keeps one membership and the second comes back to it.
            with transaction.atomic():
                membership = Membership.objects.create(
                    network=network,
                    email=email,
                    name=name,
                    ring=ring,
                    joined_through=joined_through,
                    joined_on=today,
                )
        except IntegrityError:
            return existing.get()
    elif membership.is_current:
        return membership
    else:
        # Back after leaving: in `ring` again, as a member (a role held before is not kept).
        membership.name = membership.name or name
        membership.ring = ring
        membership.role = Role.MEMBER
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
def move(membership: Membership, ring: str, *, reason: str, by: User | None = None) -> Membership:
    """Move a member to another ring, keeping the dated move and why in their history."""
    if not reason.strip():
        raise ValueError("A move between rings needs a reason.")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.ring == ring:
        return membership
    # A request or invitation still waiting was for the ring the member is leaving.
    membership.requests.filter(status=RequestStatus.PENDING).update(
        status=RequestStatus.WITHDRAWN, decided_at=timezone.now()
    )
    RingMove.objects.create(
        membership=membership,
        from_ring=membership.ring,
        to_ring=ring,
        moved_at=timezone.now(),
        moved_by=by if by is not None and by.is_authenticated else None,
        reason=reason,
    )
    membership.ring = ring
    with audited(membership, reason=f"Moved to the {Ring(ring).label.lower()}", by=by):
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
    by: User | None = None,
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
    # Their own request to join the core, if one waits, is granted by their arrival (the move
    # withdraws whatever else was waiting).
    membership.requests.filter(
        status=RequestStatus.PENDING, ring=Ring.CORE, kind=RequestKind.REQUEST
    ).update(status=RequestStatus.ACCEPTED, decided_at=timezone.now(), decided_by=by)
    return move(membership, Ring.CORE, reason=reason, by=by)


# -- Facilitating ------------------------------------------------------------------------------


def facilitates(network: Network, user: User | AnonymousUser) -> bool:
    """Curators, the innovation's owners and the network's facilitators run a network."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if network.innovation is not None and catalogue_services.can_edit(user, network.innovation):
        return True
    return network.memberships.filter(
        user=user, role=Role.FACILITATOR, left_on__isnull=True
    ).exists()


def _require_facilitator(network: Network, user: User) -> None:
    if not facilitates(network, user):
        raise PermissionDenied("Only the network's facilitators and curators may do this.")


def membership_of(network: Network, user: User | AnonymousUser) -> Membership | None:
    """The signed-in person's membership (by account, or by their email), current or left."""
    if not user.is_authenticated:
        return None
    return (
        network.memberships.filter(Q(user=user) | Q(email__iexact=user.email or "-"))
        .order_by("-left_on")
        .first()
    )


@transaction.atomic
def join(network: Network, user: User) -> Membership:
    """A signed-in person joins the interest ring (or stays where they are if already in).

    Members are known by their email address, so an account without one (made in the admin,
    say) cannot join.
    """
    if not user.email:
        raise ValueError("Your account has no email address: ask a curator to add one.")
    # One membership per account: someone who joined, changed their address and joins again
    # is still the same member (a constraint holds it too).
    linked = network.memberships.filter(user=user).first()
    membership = enrol(
        network,
        email=linked.email if linked else user.email,
        name=user.get_full_name(),
        ring=Ring.INTEREST,
        joined_through=JoinedThrough.DIRECT,
        reason="Joined from the network's page.",
        by=user,
    )
    if membership.user_id is None:
        membership.user = user
        membership.save(update_fields=["user", "updated_at"])
    return membership


@transaction.atomic
def leave(membership: Membership) -> Membership:
    """The member leaves; their history stays, and anything they were waiting for is withdrawn."""
    membership.left_on = timezone.localdate()
    membership.listed_publicly = False
    membership.role = Role.MEMBER  # a facilitator who leaves stops facilitating
    membership.save(update_fields=["left_on", "listed_publicly", "role", "updated_at"])
    membership.requests.filter(status=RequestStatus.PENDING).update(
        status=RequestStatus.WITHDRAWN, decided_at=timezone.now()
    )
    return membership


@transaction.atomic
def list_member(membership: Membership, *, listed: bool, by: User) -> Membership:
    """A current member chooses whether their name is shown on the network's public page;
    nobody else chooses for them."""
    if not by.is_authenticated or membership_of(membership.network, by) != membership:
        raise PermissionDenied("Only the member chooses whether they are listed.")
    if not membership.is_current:
        raise ValueError("Only current members are listed.")
    membership.listed_publicly = listed
    membership.save(update_fields=["listed_publicly", "updated_at"])
    return membership


def _pending_check(membership: Membership) -> None:
    if not membership.is_current:
        raise ValueError("Only current members can move between rings.")
    if membership.requests.filter(status=RequestStatus.PENDING).exists():
        raise ValueError("A request is already waiting for a decision.")


@transaction.atomic
def ask_to_join_learning(
    membership: Membership, *, absolute: Absolute, message: str = ""
) -> RingRequest:
    """A member of the interest ring asks to join the learning ring; the facilitators are told
    (by email, with a link made by `absolute`) and one of them decides."""
    _pending_check(membership)
    if membership.ring != Ring.INTEREST:
        raise ValueError("Only members of the interest ring ask to join the learning ring.")
    request = _create_request(
        membership=membership,
        ring=Ring.LEARNING,
        kind=RequestKind.REQUEST,
        message=message,
        created_by=membership.user,
    )
    notices.request_waiting(request, absolute)
    return request


@transaction.atomic
def ask_to_join_core(
    membership: Membership, *, message: str, absolute: Absolute
) -> RingRequest | None:
    """An adopter whose own adoption reached piloting, not verified yet, asks to join the core
    ring; the facilitators are told (by email, with a link made by `absolute`) and one of them
    decides, as with other requests. Nothing is asked for a member in the core already, who
    has left, or who has a request waiting."""
    if not membership.is_current or membership.ring == Ring.CORE:
        return None
    if membership.requests.filter(status=RequestStatus.PENDING).exists():
        return None
    try:
        request = _create_request(
            membership=membership,
            ring=Ring.CORE,
            kind=RequestKind.REQUEST,
            message=message,
            created_by=membership.user,
        )
    except ValueError:  # the same request, made at the same moment
        return None
    notices.request_waiting(request, absolute)
    return request


@transaction.atomic
def invite_to_core(
    membership: Membership, *, by: User, absolute: Absolute, message: str = ""
) -> RingRequest:
    """A facilitator invites a member into the core ring; the member is told (by email, with a
    link made by `absolute`) and accepts or declines."""
    _require_facilitator(membership.network, by)
    _pending_check(membership)
    if membership.ring == Ring.CORE:
        raise ValueError("This member is in the core ring already.")
    invitation = _create_request(
        membership=membership,
        ring=Ring.CORE,
        kind=RequestKind.INVITATION,
        message=message,
        created_by=by,
    )
    notices.invitation_sent(invitation, absolute)
    return invitation


def _create_request(**values: Any) -> RingRequest:
    try:
        with transaction.atomic():
            return RingRequest.objects.create(**values)
    except IntegrityError as exc:  # the same request, sent twice at once
        raise ValueError("A request is already waiting for a decision.") from exc


def decides(request: RingRequest, user: User) -> bool:
    """Facilitators decide members' requests; the member decides an invitation."""
    if request.kind == RequestKind.REQUEST:
        return facilitates(request.membership.network, user)
    membership = request.membership
    return user.is_authenticated and (
        membership.user_id == user.pk
        or bool(user.email)
        and membership.email.lower() == user.email.lower()
    )


@transaction.atomic
def decide(request: RingRequest, *, accept: bool, by: User) -> RingRequest:
    """Accept (the member moves, with the reason in their history) or decline a request."""
    request = (
        RingRequest.objects.select_for_update(of=("self",))
        .select_related("membership__network__innovation")
        .get(pk=request.pk)
    )
    if not decides(request, by):
        raise PermissionDenied("This decision is not yours to make.")
    if request.status != RequestStatus.PENDING:
        raise ValueError("This request has been decided already.")
    if accept and not request.membership.is_current:
        raise ValueError("This person has left the network.")
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.decided_at = timezone.now()
    request.decided_by = by
    request.save(update_fields=["status", "decided_at", "decided_by"])
    if accept:
        reason = (
            f"Asked to join the {request.ring} ring; a facilitator agreed."
            if request.kind == RequestKind.REQUEST
            else "Invited into the core ring by a facilitator, and accepted."
        )
        move(request.membership, request.ring, reason=reason, by=by)
    return request


@transaction.atomic
def move_members(
    network: Network,
    member_ids: list[int],
    ring: str,
    *,
    reason: str,
    by: User,
) -> int:
    """A facilitator moves several current members to a ring (inwards or out), each move kept
    with the reason. Returns how many moved (members already there do not)."""
    _require_facilitator(network, by)
    if ring not in Ring.values:
        raise ValueError("Unknown ring.")
    if not reason.strip():
        raise ValueError("Say why they are moving.")
    moved = 0
    members = network.memberships.filter(pk__in=member_ids, left_on__isnull=True)
    for membership in members.select_for_update():
        if membership.ring != ring:
            move(membership, ring, reason=reason, by=by)
            moved += 1
    return moved


def funnel(network: Network) -> list[dict]:
    """Per month, newest first: how many joined, moved from interest to learning, and moved
    into the core ring (from either outer ring). One query."""
    inwards_to_core = Q(to_ring=Ring.CORE) & ~Q(from_ring="")
    rows = (
        RingMove.objects.filter(membership__network=network)
        .annotate(month=TruncMonth("moved_at"))
        .values("month")
        .annotate(
            joined=Count("pk", filter=Q(from_ring="")),
            to_learning=Count("pk", filter=Q(from_ring=Ring.INTEREST, to_ring=Ring.LEARNING)),
            to_core=Count("pk", filter=inwards_to_core),
        )
        .order_by("-month")
    )
    return list(rows)


# -- Mentoring --------------------------------------------------------------------------------


@transaction.atomic
def offer_to_mentor(membership: Membership, *, offering: bool = True) -> Membership:
    """A member of the core or learning ring offers (or stops offering) to mentor newcomers."""
    if not membership.is_current:
        raise ValueError("Only current members can mentor.")
    if offering and membership.ring == Ring.INTEREST:
        raise ValueError("Mentors come from the core and learning rings.")
    if membership.role not in (Role.MEMBER, Role.MENTOR):
        raise ValueError("Facilitators and innovators help newcomers already.")
    membership.role = Role.MENTOR if offering else Role.MEMBER
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def ask_for_mentor(membership: Membership, *, absolute: Absolute, message: str = "") -> Mentoring:
    """A newcomer in the learning ring asks for a mentor; the facilitators are told (by email,
    with a link made by `absolute`) and one of them pairs them."""
    if not membership.is_current or membership.ring != Ring.LEARNING:
        raise ValueError("Members of the learning ring ask for a mentor.")
    if Mentoring.objects.filter(mentee=membership).exists():
        raise ValueError("You have asked for a mentor already.")
    try:
        with transaction.atomic():
            mentoring = Mentoring.objects.create(mentee=membership, message=message)
    except IntegrityError as exc:  # asked twice at once
        raise ValueError("You have asked for a mentor already.") from exc
    notices.mentor_asked(mentoring, absolute)
    return mentoring


@transaction.atomic
def pair(mentoring: Mentoring, mentor: Membership, *, by: User, absolute: Absolute) -> Mentoring:
    """A facilitator pairs a newcomer with a member who offered to mentor; both are told (by
    email, with a link made by `absolute`)."""
    mentoring = Mentoring.objects.select_for_update().get(pk=mentoring.pk)
    network = mentoring.mentee.network
    _require_facilitator(network, by)
    if mentor.network_id != network.pk or not mentor.is_current or mentor.role != Role.MENTOR:
        raise ValueError("Choose a current member of this network who offered to mentor.")
    if mentor.pk == mentoring.mentee_id:
        raise ValueError("Nobody mentors themselves.")
    mentoring.mentor = mentor
    mentoring.paired_at = timezone.now()
    mentoring.paired_by = by
    mentoring.save(update_fields=["mentor", "paired_at", "paired_by"])
    notices.paired(mentoring, absolute)
    return mentoring

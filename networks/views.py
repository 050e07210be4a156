"""Network pages: the public side (rings explained, sizes, listed members, joining) and the
facilitator's side (members per ring, requests waiting, moves, the graduation funnel, CSV)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kernel.downloads import csv_download, in_chunks
from kernel.http import AuthenticatedHttpRequest
from kernel.text import row_id, single_line
from networks import services
from networks.choices import RING_DESCRIPTIONS, RequestKind, RequestStatus, Ring, Role
from networks.models import Membership, Mentoring, Network, RingRequest

Made = TypeVar("Made", RingRequest, Mentoring)


def _network(slug: str) -> Network:
    return get_object_or_404(
        Network.objects.public().select_related("innovation").with_ring_sizes(), slug=slug
    )


def _rings() -> list:
    return [(ring, RING_DESCRIPTIONS[ring]) for ring in Ring]


def network_list(request: HttpRequest) -> HttpResponse:
    networks = Network.objects.public().with_ring_sizes().select_related("innovation")
    around = Paginator(
        networks.filter(innovation__isnull=False).order_by("name", "pk"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "networks/network_list.html",
        {"thematic": networks.filter(innovation__isnull=True).order_by("name"), "page": around},
    )


def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network = _network(slug)
    membership = services.membership_of(network, request.user)
    listed = network.memberships.filter(left_on__isnull=True, listed_publicly=True).order_by("name")
    waiting = (
        membership.requests.filter(status=RequestStatus.PENDING).first() if membership else None
    )
    mentoring = (
        Mentoring.objects.filter(mentee=membership).select_related("mentor").first()
        if membership
        else None
    )
    return render(
        request,
        "networks/network_detail.html",
        {
            "network": network,
            "sizes": [
                (ring, description, getattr(network, f"{ring.value}_size"))
                for ring, description in _rings()
            ],
            "membership": membership,
            # Members see their own history: every move, when and why.
            "moves": list(membership.moves.order_by("moved_at", "pk")) if membership else [],
            "waiting": waiting,
            "mentoring": mentoring,
            "listed": [(ring, [m for m in listed if m.ring == ring]) for ring in Ring],
            "facilitates": services.facilitates(network, request.user),
        },
    )


@login_required
@require_POST
def join(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    network = _network(slug)
    try:
        services.join(network, request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"You have joined the interest ring of {network.name}.")
    return redirect(network)


def _own_membership(request: HttpRequest, network: Network) -> Membership:
    membership = services.membership_of(network, request.user)
    if membership is None or not membership.is_current:
        raise PermissionDenied("You are not a member of this network.")
    return membership


@login_required
@require_POST
def leave(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    network = _network(slug)
    services.leave(_own_membership(request, network))
    messages.success(request, f"You have left {network.name}.")
    return redirect(network)


@login_required
@require_POST
def listing(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The member chooses whether their name is shown on the network's public page."""
    network = _network(slug)
    services.list_member(
        _own_membership(request, network),
        listed=request.POST.get("listed") == "yes",
        by=request.user,
    )
    return redirect(network)


class MessageForm(forms.Form):
    message = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)


@login_required
@require_POST
def ask(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _with_message(
        request, slug, services.ask_to_join_learning, "Your request is with the facilitators."
    )


def _with_message(
    request: HttpRequest, slug: str, action: Callable[..., Made], done: str
) -> HttpResponse:
    """Run a member's own request that carries an optional message (asking to join the learning
    ring, asking for a mentor; the service tells the facilitators), and say how it went on the
    network's page."""
    network = _network(slug)
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError("Your message could not be sent: " + form.errors.as_text())
        action(
            _own_membership(request, network),
            message=form.cleaned_data["message"],
            absolute=request.build_absolute_uri,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(network)


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Accept or decline: a member's request (facilitators) or an invitation (the member)."""
    network = _network(slug)
    ring_request = get_object_or_404(
        RingRequest.objects.select_related("membership"), pk=pk, membership__network=network
    )
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        return HttpResponse("decision: choose accept or decline.", status=400)
    try:
        services.decide(ring_request, accept=decision == "accept", by=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Accepted." if decision == "accept" else "Declined.")
    if ring_request.kind == RequestKind.REQUEST:
        return redirect("networks:facilitate", slug=slug)
    return redirect(network)


def _facilitated(request: HttpRequest, slug: str) -> Network:
    network = _network(slug)
    if not services.facilitates(network, request.user):
        raise PermissionDenied("Only the network's facilitators and curators see its members.")
    return network


class MoveForm(forms.Form):
    members = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": "Select the members to move",
        },
    )
    ring = forms.ChoiceField(
        choices=Ring.choices, error_messages={"required": "Choose the ring to move them to"}
    )
    reason = forms.CharField(
        label="Why they are moving",
        max_length=2000,
        help_text="Kept in each member's history.",
        error_messages={"required": "Say why they are moving"},
        validators=[single_line],  # asked for in a one-line box, shown within a sentence
    )

    # The id of the first member's box, for the error summary (set by the view).
    error_targets: dict[str, str]

    def __init__(self, *args: Any, network: Network, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["members"]).choices = [
            (pk, pk)
            for pk in network.memberships.filter(left_on__isnull=True).values_list("pk", flat=True)
        ]


@login_required
def facilitate(
    request: AuthenticatedHttpRequest, slug: str, move_form: MoveForm | None = None
) -> HttpResponse:
    network = _facilitated(request, slug)
    members = (
        network.memberships.filter(left_on__isnull=True)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "requests",
                RingRequest.objects.filter(status=RequestStatus.PENDING),
                to_attr="waiting",
            )
        )
        .order_by("joined_on", "pk")
    )
    by_ring: dict[str, list[Membership]] = {ring: [] for ring in Ring.values}
    for member in members:
        by_ring[member.ring].append(member)
    requests = (
        RingRequest.objects.filter(
            membership__network=network,
            status=RequestStatus.PENDING,
            kind=RequestKind.REQUEST,
        )
        .select_related("membership")
        .order_by("created_at")
    )
    mentoring = Mentoring.objects.filter(mentee__network=network).select_related("mentee", "mentor")
    form = move_form if move_form is not None else MoveForm(network=network)
    # The members' boxes are drawn in the tables of the rings, so the error summary is told
    # which is first on the page (none with nobody to tick).
    first = next((m for ring in Ring.values for m in by_ring[ring]), None)
    form.error_targets = {"members": f"member-{first.pk}" if first else ""}
    return render(
        request,
        "networks/facilitate.html",
        {
            "waiting_for_mentor": [m for m in mentoring if m.mentor_id is None],
            "pairs": [m for m in mentoring if m.mentor_id is not None],
            "mentors": [m for m in members if m.role == Role.MENTOR],
            "network": network,
            "rings": _rings(),
            "by_ring": [(ring, description, by_ring[ring]) for ring, description in _rings()],
            "requests": requests,
            "funnel": services.funnel(network),
            "move_form": form,
            "checked": set(form.cleaned_data.get("members", []))
            if hasattr(form, "cleaned_data")
            else set(),
            "ring_choices": [("", "Choose a ring"), *Ring.choices],
        },
        status=400 if move_form is not None else 200,
    )


@login_required
@require_POST
def move(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    network = _facilitated(request, slug)
    form = MoveForm(request.POST, network=network)
    if not form.is_valid():
        return facilitate(request, slug, move_form=form)
    moved = services.move_members(
        network,
        form.cleaned_data["members"],
        form.cleaned_data["ring"],
        reason=form.cleaned_data["reason"],
        by=request.user,
    )
    ring = Ring(form.cleaned_data["ring"]).label.lower()
    messages.success(request, f"Moved {moved} member{'s' if moved != 1 else ''} to the {ring}.")
    return redirect("networks:facilitate", slug=slug)


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    network = _facilitated(request, slug)
    membership = get_object_or_404(network.memberships, pk=pk)
    form = MessageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValueError("The message could not be sent: " + form.errors.as_text())
        services.invite_to_core(
            membership,
            by=request.user,
            message=form.cleaned_data["message"],
            absolute=request.build_absolute_uri,
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.name or membership.email} is invited to the core.")
    return redirect("networks:facilitate", slug=slug)


@login_required
def members_csv(
    request: AuthenticatedHttpRequest, slug: str
) -> HttpResponse | StreamingHttpResponse:
    network = _facilitated(request, slug)
    columns = ["name", "email", "ring", "role", "joined on", "joined through", "listed publicly"]

    def rows() -> Iterator[tuple[object, ...]]:
        members = network.memberships.filter(left_on__isnull=True).order_by("ring", "joined_on")
        for m in in_chunks(members):
            yield (
                m.name,
                m.email,
                m.get_ring_display(),
                m.get_role_display(),
                m.joined_on.isoformat(),
                m.get_joined_through_display(),
                "yes" if m.listed_publicly else "no",
            )

    return csv_download(columns, rows(), f"{network.slug}-members.csv")


@login_required
@require_POST
def mentor(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    network = _network(slug)
    offering = request.POST.get("offering") == "yes"
    try:
        services.offer_to_mentor(_own_membership(request, network), offering=offering)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Thank you: the facilitators can now pair you with a newcomer."
            if offering
            else "You are no longer offering to mentor.",
        )
    return redirect(network)


@login_required
@require_POST
def mentee(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    return _with_message(
        request, slug, services.ask_for_mentor, "The facilitators will pair you with a mentor."
    )


@login_required
@require_POST
def pair(request: AuthenticatedHttpRequest, slug: str, pk: int) -> HttpResponse:
    network = _facilitated(request, slug)
    mentoring = get_object_or_404(Mentoring, pk=pk, mentee__network=network)
    chosen = row_id(request.POST.get("mentor", ""))
    mentor = network.memberships.filter(pk=chosen).first() if chosen else None
    try:
        if mentor is None:
            raise ValueError("Choose a mentor.")
        services.pair(mentoring, mentor, by=request.user, absolute=request.build_absolute_uri)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Paired.")
    return redirect("networks:facilitate", slug=slug)

"""Nested learning networks: core, learning and interest rings, and graduation between them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from catalogue.models import Innovation
from kernel.text import single_line
from networks.choices import JoinedThrough, RequestKind, RequestStatus, Ring, Role


class NetworkQuerySet(models.QuerySet):
    def public(self) -> NetworkQuerySet:
        """Thematic networks, and the networks of published innovations."""
        return self.filter(Q(innovation__isnull=True) | Q(innovation__status="published"))

    def with_ring_sizes(self) -> NetworkQuerySet:
        """Annotate core_size, learning_size and interest_size (current members only)."""
        current = Q(memberships__left_on__isnull=True)
        return self.annotate(
            **{
                f"{ring}_size": Count("memberships", filter=current & Q(memberships__ring=ring))
                for ring in Ring.values
            }
        )


class Network(models.Model):
    """The nested rings of people around one innovation, or around a theme."""

    name = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    innovation = models.OneToOneField(
        Innovation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="network",
        help_text="Empty for a thematic network not tied to one innovation.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:detail", args=[self.slug])

    @property
    def is_thematic(self) -> bool:
        return self.innovation_id is None


class Membership(models.Model):
    """One person in one ring of a network; every move between rings is kept as a RingMove."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    email = models.EmailField(validators=[single_line])
    name = models.CharField(max_length=200, blank=True, validators=[single_line])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    ring = models.CharField(max_length=10, choices=Ring.choices, default=Ring.INTEREST)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    joined_through = models.CharField(
        max_length=20, choices=JoinedThrough.choices, default=JoinedThrough.DIRECT
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    listed_publicly = models.BooleanField(
        default=False, help_text="The member agreed to be listed on the public network page."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The audit history (kernel/audit.py). Ring moves and requests are not audited: each
    # is already a dated record of who did what, and a move shows here as the ring changing.
    audit = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["network", "ring", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                "network",
                Lower("email"),
                name="membership_one_per_person_per_network",
                violation_error_message="This person is already a member of this network.",
            ),
            models.UniqueConstraint(
                fields=["network", "user"],
                condition=Q(user__isnull=False),
                name="membership_one_per_account_per_network",
                violation_error_message="This account is already a member of this network.",
            ),
            models.CheckConstraint(
                condition=Q(ring__in=Ring.values),
                name="membership_ring_known",
                violation_error_message="Unknown ring.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="membership_role_known",
                violation_error_message="Unknown role.",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_dates_in_order",
                violation_error_message="A member cannot leave before joining.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.email} ({self.get_ring_display()}, {self.network})"

    @property
    def is_current(self) -> bool:
        return self.left_on is None


class RingMove(models.Model):
    """A dated move of a member into a ring (joining when from_ring is empty), and why."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="moves")
    from_ring = models.CharField(max_length=10, choices=Ring.choices, blank=True)
    to_ring = models.CharField(max_length=10, choices=Ring.choices)
    moved_at = models.DateTimeField()
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()

    class Meta:
        ordering = ["moved_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_ring=F("to_ring")),
                name="ring_move_changes_ring",
                violation_error_message="A move must go to a different ring.",
            ),
            models.CheckConstraint(
                condition=Q(reason__regex=r"\S"),  # a word, not only spaces
                name="ring_move_has_reason",
                violation_error_message="Every move needs a reason.",
            ),
            models.CheckConstraint(
                condition=Q(to_ring__in=Ring.values)
                & (Q(from_ring="") | Q(from_ring__in=Ring.values)),
                name="ring_move_rings_known",
                violation_error_message="Unknown ring.",
            ),
        ]

    def __str__(self) -> str:
        start = self.get_from_ring_display() or "joined"
        return f"{start} → {self.get_to_ring_display()} on {self.moved_at:%d %B %Y}"


class RingRequest(models.Model):
    """A move inwards waiting for the other side: a member asking to join the learning ring,
    or an adopter whose adoption is not verified yet asking to join the core ring (a
    facilitator decides), or a facilitator inviting a member into the core ring (the member
    decides). Accepting one moves the member, with the move in their history."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="requests")
    ring = models.CharField(max_length=10, choices=Ring.choices)
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    message = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                "membership",
                condition=Q(status="pending"),
                name="ring_request_one_pending_per_member",
                violation_error_message="This member already has a request waiting.",
            ),
            models.CheckConstraint(
                condition=Q(kind=RequestKind.REQUEST, ring__in=[Ring.LEARNING, Ring.CORE])
                | Q(kind=RequestKind.INVITATION, ring=Ring.CORE),
                name="ring_request_kind_matches_ring",
                violation_error_message="Members ask to join the learning ring (or, adopters, "
                "the core ring); facilitators invite into the core ring.",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="ring_request_decided_when_not_pending",
                violation_error_message="A decided request needs the date it was decided.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.membership} to {self.get_ring_display()}"


class Mentoring(models.Model):
    """A newcomer in the learning ring asking for a mentor, and the pairing a facilitator makes
    with a member who offered to mentor (the mentor or buddy scheme)."""

    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentored")
    mentor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentoring"
    )
    message = models.TextField(blank=True)
    asked_at = models.DateTimeField(auto_now_add=True)
    paired_at = models.DateTimeField(null=True, blank=True)
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["asked_at"]
        constraints = [
            models.UniqueConstraint(
                "mentee",
                name="mentoring_one_per_mentee",
                violation_error_message="This member has asked for a mentor already.",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")),
                name="mentoring_not_oneself",
                violation_error_message="Nobody mentors themselves.",
            ),
            models.CheckConstraint(
                condition=Q(mentor__isnull=True, paired_at__isnull=True)
                | Q(mentor__isnull=False, paired_at__isnull=False),
                name="mentoring_paired_with_date",
                violation_error_message="A pairing needs its mentor and its date.",
            ),
        ]

    def __str__(self) -> str:
        who = self.mentee.name or self.mentee.email
        if self.mentor is not None:
            return f"{who}, mentored by {self.mentor.name or self.mentor.email}"
        return f"{who}, waiting for a mentor"

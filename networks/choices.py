from django.db import models


class Ring(models.TextChoices):
    """A network's nested rings, innermost first (Innovation Unit, "New solutions, at scale")."""

    CORE = "core", "Core network"
    LEARNING = "learning", "Learning network"
    INTEREST = "interest", "Interest network"


RING_DESCRIPTIONS = {
    Ring.CORE: "People putting the innovation to work in their own place, who test it, "
    "challenge its team and share ownership of it.",
    Ring.LEARNING: "People following the innovation closely as it develops, "
    "learning alongside the core.",
    Ring.INTEREST: "People who want to find out more and hear how it is going.",
}


class Role(models.TextChoices):
    MEMBER = "member", "Member"
    FACILITATOR = "facilitator", "Facilitator"
    MENTOR = "mentor", "Mentor"
    INNOVATOR = "innovator", "Innovator"


class JoinedThrough(models.TextChoices):
    """Where a member came from, for the facilitator's view of the funnel."""

    REGISTRATION = "registration", "Registration of interest"
    ADOPTION = "adoption", "Adoption"
    DIRECT = "direct", "Joined directly"
    INVITATION = "invitation", "Invited by a facilitator"
    CURATOR = "curator", "Added by a curator"


class RequestKind(models.TextChoices):
    """Who asked for a move inwards: the member (to join the learning ring, or an adopter the
    core ring), or a facilitator (inviting a member into the core ring)."""

    REQUEST = "request", "Asked to join"
    INVITATION = "invitation", "Invited"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"

from django.db import models


class AdoptionStatus(models.TextChoices):
    """Where an adoption stands, from first look to scaled (or paused, or stopped)."""

    EXPLORING = "exploring", "Exploring"
    PLANNING = "planning", "Planning"
    PILOTING = "piloting", "Piloting"
    ADOPTED = "adopted", "Adopted"
    SCALED = "scaled", "Scaled"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"


class Interest(models.TextChoices):
    """What someone registering interest wants."""

    FIND_OUT_MORE = "find-out-more", "Find out more"
    EXPLORE_ADOPTING = "explore-adopting", "Explore adopting it"
    JOIN_NETWORK = "join-network", "Join the learning network"
    OFFER_EXPERIENCE = "offer-experience", "Offer my experience"


class RegistrationStatus(models.TextChoices):
    NEW = "new", "New (unconfirmed)"
    CONFIRMED = "confirmed", "Confirmed"
    CONTACTED = "contacted", "Contacted"
    ADOPTED = "adopted", "Became an adoption"
    CLOSED = "closed", "Closed"


class Provenance(models.TextChoices):
    """How the catalogue knows of an adoption: who told it, or who checked it."""

    SELF_REPORTED = "self-reported", "Reported by the adopter"
    REPORTED_BY_INNOVATOR = "reported-by-innovator", "Reported by the innovation's team"
    VERIFIED = "verified", "Checked by a curator"

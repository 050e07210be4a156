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

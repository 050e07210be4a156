"""Fixed vocabularies from the literature, holding the contract's slugs (shared/CONTRACT.md)."""

from django.db import models


class Stage(models.TextChoices):
    """Nesta's seven stages of innovation, from first spotting a need to changing the system."""

    EXPLORING_OPPORTUNITIES = "exploring-opportunities", "Exploring opportunities and challenges"
    GENERATING_IDEAS = "generating-ideas", "Generating ideas"
    DEVELOPING_TESTING = "developing-testing", "Developing and testing"
    MAKING_THE_CASE = "making-the-case", "Making the case"
    DELIVERING_IMPLEMENTING = "delivering-implementing", "Delivering and implementing"
    GROWING_SCALING_SPREADING = "growing-scaling-spreading", "Growing, scaling and spreading"
    CHANGING_SYSTEMS = "changing-systems", "Changing systems"


# What each stage involves, in this project's words (after Nesta's seven stages of innovation,
# "Nurturing the seeds of change", November 2021).
STAGE_EXPLANATIONS = {
    Stage.EXPLORING_OPPORTUNITIES: "noticing that something is not working, or that a new "
    "opportunity has opened, and understanding why.",
    Stage.GENERATING_IDEAS: "coming up with possible answers, often with the people who live "
    "with the problem.",
    Stage.DEVELOPING_TESTING: "trying ideas out on a small scale, learning what works and "
    "dropping what does not.",
    Stage.MAKING_THE_CASE: "gathering the evidence and arguments that persuade others to back "
    "it or pay for it.",
    Stage.DELIVERING_IMPLEMENTING: "running it as an everyday service with steady funding "
    "and people.",
    Stage.GROWING_SCALING_SPREADING: "taking it to more people and places, through growth, "
    "partners or others who copy and adapt it.",
    Stage.CHANGING_SYSTEMS: "changing the policies, institutions and habits around it, so "
    "that it becomes the normal way of doing things.",
}


class InnovationKind(models.TextChoices):
    PRODUCT = "product", "Product"
    SERVICE = "service", "Service"
    PROGRAMME = "programme", "Programme"
    ORGANISATIONAL_MODEL = "organisational-model", "Organisational model"
    DELIVERY_APPROACH = "delivery-approach", "Delivery approach"
    DIGITAL_TOOL = "digital-tool", "Digital tool"
    POLICY = "policy", "Policy"


class ScalingWay(models.TextChoices):
    """Scaling out (more people and places), up (policy and institutions), deep (culture)."""

    OUT = "out", "Scaling out"
    UP = "up", "Scaling up"
    DEEP = "deep", "Scaling deep"


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local-authority", "Local authority"
    NHS_BODY = "nhs-body", "NHS body"
    CENTRAL_GOVERNMENT = "central-government", "Central government"
    CHARITY = "charity", "Charity"
    SOCIAL_ENTERPRISE = "social-enterprise", "Social enterprise"
    COMMUNITY_GROUP = "community-group", "Community group"
    UNIVERSITY = "university", "University"
    BUSINESS = "business", "Business"
    OTHER = "other", "Other"


class CostBand(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ModerationStatus(models.TextChoices):
    """Only published innovations are shown to the public, on the site and in the API."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


# What the public sees, or saw and may see again without a fresh review (a curator can
# republish an archived entry): an owner's changes to these wait for a curator.
REVIEWED_STATUSES = (ModerationStatus.PUBLISHED, ModerationStatus.ARCHIVED)


class RevisionStatus(models.TextChoices):
    """Where an owner's proposed changes to an innovation stand (models.InnovationRevision)."""

    PENDING = "pending", "Waiting for a curator"
    ACCEPTED = "accepted", "Accepted"
    RETURNED = "returned", "Returned"


class EvidenceLevel(models.IntegerChoices):
    """Nesta's standards of evidence, each level asking more of the claim that it works."""

    DESCRIBED = 1, "Level 1: the change it should make is clearly described"
    DATA_SHOWS_CHANGE = 2, "Level 2: data show change among the people it serves"
    CAUSALITY = 3, "Level 3: a comparison group shows it caused the change"
    INDEPENDENT_REPLICATION = 4, "Level 4: independent evaluations confirm it and its costs"
    SCALED_REPLICATION = 5, "Level 5: it can be run elsewhere with the same results"


EVIDENCE_LEVEL_EXPLANATIONS = {
    1: "The team can say what it does, for whom, and why that should make a difference.",
    2: "Data gathered while running it show change among the people it reaches, "
    "though not yet that the innovation caused it.",
    3: "A comparison or control group shows that the change is down to the innovation.",
    4: "One or more independent evaluations confirm the impact and put a value on it.",
    5: "It has been run by others, in other places, and kept its results: "
    "a manual or system makes it repeatable.",
}


class ResourceKind(models.TextChoices):
    ADVICE = "advice", "Advice and support"
    TOOLKIT = "toolkit", "Toolkit or guide"
    FUNDING = "funding", "Funding"
    EVALUATION = "evaluation", "Evaluation"
    RESEARCH = "research", "Research and reports"
    NETWORK = "network", "Network or community"


class RegionKind(models.TextChoices):
    NATION = "nation", "Nation"
    REGION = "region", "Region"
    OTHER = "other", "Other"

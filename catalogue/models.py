"""The catalogue: organisations, places, curated vocabularies, innovations and their reach."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Lower, Replace
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from catalogue.choices import (
    CostBand,
    EvidenceLevel,
    InnovationKind,
    ModerationStatus,
    OrganisationKind,
    RegionKind,
    ResourceKind,
    RevisionStatus,
    ScalingWay,
    Stage,
)
from kernel.text import single_line

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Adoption statuses that count towards an innovation's adoption count (CONTRACT.md).
ACTIVE_ADOPTION_STATUSES = ("piloting", "adopted", "scaled")


class Region(models.Model):
    """A UK nation or English region, or "outside the UK"; nations hold their regions."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100, unique=True, validators=[single_line])
    kind = models.CharField(max_length=10, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists and facets.")
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="region_not_its_own_parent",
                violation_error_message="A region cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def with_descendants(self) -> list[Region]:
        """This region and every region under it (a nation selects its regions)."""
        found = [self]
        for child in self.children.all():
            found.extend(child.with_descendants())
        return found


# An ONS (GSS) code of a local authority district: its country's letter and eight digits.
LOCAL_AUTHORITY_CODE = re.compile(r"\A[ENSW][0-9]{8}\Z")


class LocalAuthority(models.Model):
    """A UK local authority district (ONS GSS code, such as `E06000014` for York), in its
    region: an English region, or the nation itself for Scotland, Wales and Northern Ireland.

    Reference data: the 361 districts of 2023 are seeded from `catalogue/data/` (migration
    `0018_local_authorities`), and only a data migration changes them."""

    code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=100, validators=[single_line])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="local_authorities")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[ENSW][0-9]{8}$"),
                name="local_authority_code_is_gss",
                violation_error_message="An ONS code is a letter (E, N, S or W) and eight digits.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """Anyone who leads, partners in or adopts an innovation."""

    name = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    website = models.URLField(blank=True, validators=[single_line])
    source = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where these facts come from.",
        validators=[single_line],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="organisation_name_unique_ci",
                violation_error_message="An organisation with this name already exists.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values),
                name="organisation_kind_known",
                violation_error_message="Unknown kind of organisation.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:220]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalogue:organisation-detail", args=[self.slug])


class Vocabulary(models.Model):
    """A curated list that curators extend without a deploy; the slug is slugify(name)."""

    name = models.CharField(max_length=100, unique=True, validators=[single_line])
    slug = models.SlugField(max_length=110, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = slugify(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.slug = slugify(self.name)
        if not self.slug:
            raise ValidationError({"name": "A name needs letters or digits."})
        clash = type(self)._default_manager.filter(slug=self.slug).exclude(pk=self.pk).first()
        if clash is not None:
            raise ValidationError(
                {"name": f"“{clash.name}” already has the address “{self.slug}”."}
            )


class Sector(Vocabulary):
    """A field of public service: health, social care, education…"""


class BeneficiaryGroup(Vocabulary):
    """Who an innovation helps: older people, carers, care leavers…"""


class ScalingRoute(Vocabulary):
    """How an innovation travels: organisational growth, replication through partners…"""


def review_due_before(today: date) -> date:
    """The day twelve months before `today`: an entry last reviewed before it is due a review
    (one reviewed on that very day is not yet). On 29 February, the 28th a year before."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def review_due_condition(today: date) -> Q:
    """The one rule of when an entry is due a review, as SQL: never reviewed (or confirmed by
    its owners), or last so more than twelve months before `today`. `Innovation.review_due`
    says the same of one entry in Python."""
    return Q(last_reviewed_on__isnull=True) | Q(last_reviewed_on__lt=review_due_before(today))


# Never reviewed first, then the longest since their last review: how the curators and the
# yearly emails take the entries due a review.
OLDEST_REVIEW_FIRST = F("last_reviewed_on").asc(nulls_first=True)


class InnovationQuerySet(models.QuerySet):
    def published(self) -> InnovationQuerySet:
        return self.filter(status=ModerationStatus.PUBLISHED)

    def review_due(self, today: date | None = None) -> InnovationQuerySet:
        """Those due a review on `today` (the site's today by default): never reviewed, or
        last reviewed more than twelve months before (review_due_condition)."""
        return self.filter(review_due_condition(today or timezone.localdate()))

    def oldest_review_first(self) -> InnovationQuerySet:
        """Never reviewed first, then the longest since their last review."""
        return self.order_by(OLDEST_REVIEW_FIRST, "title", "pk")

    def visible_to(self, user: User | AnonymousUser) -> InnovationQuerySet:
        """Published innovations for everyone; drafts too for their owners and for curators."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        if user.is_authenticated:
            return self.filter(Q(status=ModerationStatus.PUBLISHED) | Q(owners=user)).distinct()
        return self.published()

    def editable_by(self, user: User | AnonymousUser) -> InnovationQuerySet:
        """The innovations this person may edit: every one for curators, their own for
        owners, none for anyone else (catalogue.services.can_edit asks of one innovation)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(owners=user)

    def for_listing(self) -> InnovationQuerySet:
        """What a list of innovations shows, in a fixed number of queries."""
        return self.select_related("lead_organisation").prefetch_related(
            models.Prefetch("sectors", Sector.objects.only("name", "slug"))
        )

    def with_latest_revision(self) -> InnovationQuerySet:
        """Each with `latest_revisions`: the changes its owners proposed last (waiting for a
        curator, or decided), as a list of at most one, read in one query for all of them."""
        return self.prefetch_related(
            models.Prefetch(
                "revisions",
                InnovationRevision.objects.order_by("-proposed_at", "-pk")[:1],
                to_attr="latest_revisions",
            )
        )

    def with_vocabularies(self) -> InnovationQuerySet:
        """With the lead organisation and the curated values (sectors, beneficiary groups,
        scaling routes, regions), each in the order pages list them, in a fixed number of
        queries whatever the number of innovations."""
        return self.select_related("lead_organisation").prefetch_related(
            models.Prefetch("sectors", Sector.objects.order_by("name")),
            models.Prefetch("beneficiaries", BeneficiaryGroup.objects.order_by("name")),
            models.Prefetch("scaling_routes", ScalingRoute.objects.order_by("name")),
            models.Prefetch("regions", Region.objects.order_by("position")),
        )


class Innovation(models.Model):
    """A public-service innovation that worked somewhere and could work elsewhere."""

    title = models.CharField(max_length=200, validators=[single_line])
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(help_text="One or two sentences shown in lists and search results.")
    problem = models.TextField("problem it addresses", blank=True)
    how_it_works = models.TextField(blank=True)
    core = models.TextField(
        "what is core", blank=True, help_text="What must stay the same when others adopt it."
    )
    adaptable = models.TextField(
        "what can be adapted", blank=True, help_text="What adopters can change to fit their place."
    )
    outcomes = models.TextField(blank=True)
    evidence_level = models.PositiveSmallIntegerField(
        choices=EvidenceLevel.choices, null=True, blank=True
    )
    evidence_summary = models.TextField(blank=True)
    stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    kind = models.CharField(max_length=30, choices=InnovationKind.choices, blank=True)
    scaling_ways = ArrayField(
        models.CharField(max_length=10, choices=ScalingWay.choices), default=list, blank=True
    )
    scaling_routes = models.ManyToManyField(ScalingRoute, blank=True, related_name="innovations")
    sectors = models.ManyToManyField(Sector, blank=True, related_name="innovations")
    beneficiaries = models.ManyToManyField(
        BeneficiaryGroup, blank=True, related_name="innovations", verbose_name="beneficiary groups"
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="innovations", help_text="Where it operates."
    )
    lead_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # an organisation with innovations must be merged, not lost
        related_name="led_innovations",
    )
    partners = models.ManyToManyField(Organisation, blank=True, related_name="partner_innovations")
    year_started = models.PositiveSmallIntegerField(null=True, blank=True)
    cost_band = models.CharField(max_length=10, choices=CostBand.choices, blank=True)
    cost_notes = models.TextField(blank=True)
    funding_model = models.TextField(blank=True)
    website = models.URLField(blank=True, validators=[single_line])
    contact_name = models.CharField(
        "public contact name", max_length=200, blank=True, validators=[single_line]
    )
    contact_email = models.EmailField("public contact email", blank=True, validators=[single_line])
    source = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where the facts on this page come from.",
        validators=[single_line],
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="owned_innovations",
        help_text="People who may edit this entry.",
    )
    status = models.CharField(
        max_length=20, choices=ModerationStatus.choices, default=ModerationStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # A curator's last decision on the entry, for its owners (never shown to the public): why
    # it was sent back, or a word with its publication. The audit history keeps every one.
    moderation_note = models.TextField(
        blank=True, help_text="What the curator said with their last decision, for its owners."
    )
    moderated_at = models.DateTimeField(
        null=True, blank=True, help_text="When a curator last published, sent back or archived it."
    )
    # Freshness (catalogue/freshness.py): when a curator last reviewed the entry, or its owners
    # last confirmed it is up to date, and which of the two it was.
    last_reviewed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When a curator last reviewed it, or its owners last confirmed it is current.",
    )
    confirmed_by_owners = models.BooleanField(
        default=False,
        help_text="Whether the last review was its owners' confirmation rather than a curator's.",
    )
    review_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its owners were last emailed to confirm it or update it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept current by a database trigger (migrations 0002 and 0004): title weighs most, then
    # summary and lead organisation, then the body fields. No write path can forget it.
    search_vector = SearchVectorField(null=True, editable=False)
    # Facet columns, derived by the same trigger from the innovation's relations, so that search
    # filters and counts read one table (GIN-indexed arrays) instead of joining six. Whatever
    # Python writes here is replaced by the database on every insert and update.
    sector_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    beneficiary_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    scaling_route_ids = ArrayField(models.BigIntegerField(), default=list, editable=False)
    region_ids = ArrayField(
        models.BigIntegerField(),
        default=list,
        editable=False,
        help_text="Where it operates, with each region's nation, so a nation selects its regions.",
    )
    organisation_kind = models.CharField(
        max_length=30, blank=True, editable=False, help_text="The lead organisation's kind."
    )
    adoption_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Adoptions piloting, adopted or scaled."
    )
    # Every facet value of the innovation as one number (catalogue/facets.py explains the
    # encoding), so that all facets are counted in a single pass: unnest, group by.
    facet_keys = ArrayField(models.BigIntegerField(), default=list, editable=False)

    objects = InnovationQuerySet.as_manager()
    # The audit history (kernel/audit.py): the row as it was after each change, and who made
    # it. What the database derives is left out: nobody edits it, the triggers rewrite it on
    # every write, and a copy taken in Python would be stale anyway. updated_at is the history
    # row's own date. The relations (sectors, regions, partners, owners…) are not copied: that
    # would take a table per relation and a further history row for each relation an edit
    # saves, for facts the admin's log already names ("Changed Sectors") on every admin edit.
    audit = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "sector_ids",
            "beneficiary_ids",
            "scaling_route_ids",
            "region_ids",
            "organisation_kind",
            "adoption_count",
            "facet_keys",
            "updated_at",
            # Bookkeeping of the yearly emails, written outside any edit.
            "review_requested_at",
        ]
    )

    class Meta:
        ordering = ["title"]
        indexes = [
            # Every facet filter is an overlap (&&) with facet_keys.
            GinIndex(fields=["facet_keys"], name="innovation_facet_keys_gin"),
            # One index per result order, ending in the id: a page of results is an index-only
            # walk in that order, kept or skipped by the facet bit strings (catalogue/search.py).
            models.Index(fields=["status", "-published_at", "-id"], name="innovation_newest"),
            models.Index(
                fields=["status", "-adoption_count", "title", "id"], name="innovation_most_adopted"
            ),
            models.Index(
                "status",
                F("evidence_level").desc(nulls_last=True),
                "title",
                "id",
                name="innovation_evidence",
            ),
            models.Index(fields=["status", "title", "id"], name="innovation_title"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(evidence_level__isnull=True) | Q(evidence_level__range=(1, 5)),
                name="innovation_evidence_level_1_to_5",
                violation_error_message="Evidence level must be between 1 and 5.",
            ),
            models.CheckConstraint(
                condition=Q(year_started__isnull=True) | Q(year_started__range=(1800, 2100)),
                name="innovation_year_started_plausible",
                violation_error_message="Year started must be between 1800 and 2100.",
            ),
            models.CheckConstraint(
                condition=Q(scaling_ways__contained_by=ScalingWay.values),
                name="innovation_scaling_ways_known",
                violation_error_message="Ways of scaling must be out, up or deep.",
            ),
            models.CheckConstraint(
                condition=Q(stage="") | Q(stage__in=Stage.values),
                name="innovation_stage_known",
                violation_error_message="Unknown stage.",
            ),
            models.CheckConstraint(
                condition=Q(kind="") | Q(kind__in=InnovationKind.values),
                name="innovation_kind_known",
                violation_error_message="Unknown kind of innovation.",
            ),
            models.CheckConstraint(
                condition=Q(cost_band="") | Q(cost_band__in=CostBand.values),
                name="innovation_cost_band_known",
                violation_error_message="Unknown cost band.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ModerationStatus.values),
                name="innovation_status_known",
                violation_error_message="Unknown moderation status.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ModerationStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="innovation_published_has_date",
                violation_error_message="A published innovation needs a publication date.",
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="innovation_title_not_blank",
                violation_error_message="An innovation needs a title.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.title)[:220]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalogue:innovation-detail", args=[self.slug])

    @property
    def is_published(self) -> bool:
        return self.status == ModerationStatus.PUBLISHED

    @property
    def review_due(self) -> bool:
        """Whether it is due a review today: never reviewed, or last reviewed more than twelve
        months ago (the rule of review_due_condition, for one entry)."""
        return self.last_reviewed_on is None or self.last_reviewed_on < review_due_before(
            timezone.localdate()
        )

    def get_scaling_ways_display(self) -> list[str]:
        return [ScalingWay(way).label for way in self.scaling_ways]


# What an innovation's editors (its owners, the curators) write on it, in the order the API
# and the catalogue file give it: the one list the submission form, the API's write serializer
# and the importer compose (catalogue.services.create_innovation and edit_innovation write it).
INNOVATION_EDITABLE: tuple[str, ...] = (
    "title",
    "summary",
    "problem",
    "how_it_works",
    "core",
    "adaptable",
    "outcomes",
    "evidence_level",
    "evidence_summary",
    "stage",
    "kind",
    "scaling_ways",
    "scaling_routes",
    "sectors",
    "beneficiaries",
    "regions",
    "lead_organisation",
    "partners",
    "year_started",
    "cost_band",
    "cost_notes",
    "funding_model",
    "website",
    "contact_name",
    "contact_email",
    "source",
)
# Those of them that are relations, set once the innovation's row is saved.
INNOVATION_RELATIONS: tuple[str, ...] = tuple(
    name for name in INNOVATION_EDITABLE if Innovation._meta.get_field(name).many_to_many
)


class InnovationRevisionQuerySet(models.QuerySet):
    def pending(self) -> InnovationRevisionQuerySet:
        return self.filter(status=RevisionStatus.PENDING)


class InnovationRevision(models.Model):
    """Changes an owner proposed to an innovation, waiting for a curator to accept or return.

    Every change an owner makes to an innovation the public sees (or saw: archived) waits here,
    and so does naming as lead or partner an organisation they have no link to, on any entry
    (catalogue.services.edit_innovation). `changes` holds the proposed values of fields of
    INNOVATION_EDITABLE as JSON: relations as lists of {"slug", "name"}, the lead organisation
    as {"slug", "name"}, or {"name", "kind"} for one new to the catalogue (added only when
    accepted), or null. An innovation has at most one pending revision: a further proposal
    is merged into it, and `version` counts them, so that a curator decides on what they read.
    """

    innovation = models.ForeignKey(Innovation, on_delete=models.CASCADE, related_name="revisions")
    changes = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PENDING
    )
    version = models.PositiveIntegerField(default=1)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who last changed the proposal.",
    )
    proposed_at = models.DateTimeField(
        auto_now_add=True, help_text="When it was first proposed: it has waited since."
    )
    updated_at = models.DateTimeField(auto_now=True)
    reason = models.TextField(blank=True, help_text="What the curator said with their decision.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = InnovationRevisionQuerySet.as_manager()
    # Decisions in the audit history (who, when, why); the proposed values stay on the row
    # alone, so that erasing a person's data (a proposed contact) leaves no copy behind.
    audit = HistoricalRecords(excluded_fields=["changes", "updated_at"])

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["innovation"],
                condition=Q(status=RevisionStatus.PENDING),
                name="revision_one_pending_per_innovation",
                violation_error_message="This innovation already has changes waiting for a "
                "curator.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RevisionStatus.values),
                name="revision_status_known",
                violation_error_message="Unknown status of proposed changes.",
            ),
            models.CheckConstraint(
                condition=Q(status=RevisionStatus.PENDING, decided_at__isnull=True)
                | (~Q(status=RevisionStatus.PENDING) & Q(decided_at__isnull=False)),
                name="revision_decided_has_date",
                violation_error_message="A decision on proposed changes needs its date.",
            ),
            models.CheckConstraint(
                condition=~Q(status=RevisionStatus.RETURNED) | ~Q(reason=""),
                name="revision_returned_has_reason",
                violation_error_message="Say why the changes are returned.",
            ),
        ]

    def __str__(self) -> str:
        return f"Changes to {self.innovation} ({self.get_status_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.status == RevisionStatus.PENDING


class ReachFigure(models.Model):
    """How far an innovation reached on a date: groups, people supported, volunteers, areas…"""

    innovation = models.ForeignKey(Innovation, on_delete=models.CASCADE, related_name="reach")
    measure = models.CharField(
        max_length=100,
        help_text='What is counted, e.g. "groups" or "people supported".',
        validators=[single_line],
    )
    value = models.PositiveBigIntegerField()
    date = models.DateField()
    source = models.CharField(
        max_length=500, blank=True, help_text="Document or URL.", validators=[single_line]
    )
    # When it was recorded (not the date it is for): followers hear of figures added since.
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["measure", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["innovation", "measure", "date"],
                name="reach_one_value_per_measure_and_date",
                violation_error_message="This innovation already has a figure for that measure "
                "on that date.",
            ),
            models.CheckConstraint(
                condition=~Q(measure=""),
                name="reach_measure_not_blank",
                violation_error_message="Say what is counted.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value:,} {self.measure} on {self.date:%d %B %Y}"


class Resource(models.Model):
    """Signposting to advice, toolkits, funding and evaluations, general or for innovations."""

    title = models.CharField(max_length=300, validators=[single_line])
    slug = models.SlugField(max_length=320, unique=True)
    kind = models.CharField(max_length=20, choices=ResourceKind.choices)
    publisher = models.CharField(max_length=200, blank=True, validators=[single_line])
    url = models.URLField(blank=True, validators=[single_line])
    description = models.TextField(blank=True)
    innovations = models.ManyToManyField(Innovation, blank=True, related_name="resources")
    source = models.CharField(max_length=500, blank=True, validators=[single_line])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ResourceKind.values),
                name="resource_kind_known",
                violation_error_message="Unknown kind of resource.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.title)[:320]
        super().save(*args, **kwargs)


class FacetTotal(models.Model):
    """How many published innovations have each facet value, kept by database triggers.

    Key 0 counts the published innovations themselves. An unfiltered search reads its facet
    counts here instead of counting the whole catalogue.
    """

    key = models.BigIntegerField(primary_key=True)
    count = models.IntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=0),
                name="facet_total_not_negative",
                violation_error_message="A facet total cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class SearchEntry(models.Model):
    """A published innovation as text search reads it, kept by a database trigger (0011).

    Only what matching, ranking and ordering need: a narrow row (about 500 bytes instead of the
    innovation's 1.3 kB at 100,000 synthetic entries), so that a text query that matches a large
    share of the catalogue reads a third of the pages. Drafts and archived entries have none.
    """

    innovation = models.OneToOneField(
        Innovation,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the trigger removes the entry with its innovation
        db_constraint=False,
        related_name="+",
    )
    search_vector = SearchVectorField()
    published_at = models.DateTimeField(null=True)
    adoption_count = models.PositiveIntegerField()
    evidence_level = models.PositiveSmallIntegerField(null=True)
    title = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "search entries"
        indexes = [GinIndex(fields=["search_vector"], name="search_entry_gin")]

    def __str__(self) -> str:
        return self.title


class Word(models.Model):
    """A word of the published catalogue's own text (titles, summaries, problems, how each
    works), for correcting misspelt search words and for "did you mean" suggestions.

    Kept by database triggers (migration 0020): a word is here exactly while at least one
    published innovation has it, so that no correction or suggestion names what only a draft,
    a submission or an archived entry says. A hyphenated name is kept whole ("home-start") as
    well as in its parts, so that "homestart" typed as one word finds it.
    """

    word = models.CharField(max_length=100, primary_key=True)
    # Not a PositiveIntegerField: its CHECK would turn a miscount into a failed innovation
    # write; the trigger deletes a word counted at zero or less instead.
    entries = models.IntegerField(
        default=0, help_text="How many published innovations have the word in their text."
    )

    class Meta:
        indexes = [
            # Nearest word by trigram distance (word <-> 'mentorng'), as a KNN index scan.
            GistIndex(fields=["word"], opclasses=["gist_trgm_ops"], name="word_trgm"),
            # A word typed without its hyphens ("homestart" for "home-start").
            models.Index(Replace("word", Value("-"), Value("")), name="word_joined"),
        ]

    def __str__(self) -> str:
        return self.word


def synonym_term(text: str) -> str:
    """A term as synonyms are matched: lower case, single spaces, no quotes or surrounding
    punctuation ("Older  People," → "older people")."""
    words = text.replace('"', " ").lower().split()
    return " ".join(word.strip(".,;:!?()[]{}'“”‘’") for word in words).strip()


class Synonym(models.Model):
    """Words and phrases people use for the same thing ("elderly", "older people"): a search for
    any of them finds what the others say. Curators keep the list in the admin; a change
    applies to the next search."""

    # At most 20: every search for one of them searches all of them.
    terms = ArrayField(
        models.CharField(max_length=60, validators=[single_line]),
        size=20,
        help_text="Two to twenty words or phrases that mean the same, separated by commas.",
    )
    note = models.CharField(
        max_length=200, blank=True, validators=[single_line], help_text="Why they belong together."
    )

    class Meta:
        # Terms are looked up by overlap (terms && the query's words and phrases).
        indexes = [GinIndex(fields=["terms"], name="synonym_terms_gin")]

    def __str__(self) -> str:
        return ", ".join(self.terms)

    def clean(self) -> None:
        terms = list(dict.fromkeys(term for t in self.terms or [] if (term := synonym_term(t))))
        if len(terms) < 2:
            raise ValidationError(
                {"terms": "Give at least two words or phrases that mean the same."}
            )
        self.terms = terms

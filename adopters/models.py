"""Adoptions of innovations, their dated status history, and registrations of interest."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from adopters.choices import AdoptionStatus, Interest, Provenance, RegistrationStatus
from catalogue.choices import OrganisationKind
from catalogue.models import (
    ACTIVE_ADOPTION_STATUSES,
    Innovation,
    LocalAuthority,
    Organisation,
    Region,
)
from kernel.dates import months_after
from kernel.mailboxes import mailbox, unquoted
from kernel.text import single_line

# What an adoption records, in the order the API and the site show and take it.
RECORDED = [
    "innovation",
    "organisation",
    "region",
    "local_authority",
    "area",
    "status",
    "adapted",
    "adaptations",
    "started_on",
    "ended_on",
    "people_reached",
    "outcomes",
    "lessons",
    "stopped_reason",
    "will_talk",
]

# Adoptions still on their way are followed up by email (adopters/follow_ups.py): the first
# time FIRST_FOLLOW_UP_MONTHS after the latest news of one, then every FOLLOW_UP_MONTHS, until
# it is adopted, scaled, paused or stopped.
FOLLOWED_UP_STATUSES = [AdoptionStatus.EXPLORING, AdoptionStatus.PLANNING, AdoptionStatus.PILOTING]
FIRST_FOLLOW_UP_MONTHS = 3
FOLLOW_UP_MONTHS = 6
# A pause or a stop is explained, in the follow-up's form, for the next adopter to learn from.
REASON_GIVEN_FOR = [AdoptionStatus.PAUSED, AdoptionStatus.STOPPED]


class AdoptionQuerySet(models.QuerySet):
    def active(self) -> AdoptionQuerySet:
        """Adoptions that count towards an innovation's adoption count."""
        return self.filter(status__in=ACTIVE_ADOPTION_STATUSES)

    def public(self) -> AdoptionQuerySet:
        """Adoptions of published innovations."""
        return self.filter(innovation__status="published")

    def due_follow_up(self, today: date) -> AdoptionQuerySet:
        """Adoptions of published innovations, still exploring, planning or piloting, whose
        follow-up email is due on `today` or was due before."""
        return self.public().filter(status__in=FOLLOWED_UP_STATUSES, next_follow_up_on__lte=today)


class Adoption(models.Model):
    """An organisation taking up an innovation in a place, as it is or adapted."""

    innovation = models.ForeignKey(
        Innovation,
        on_delete=models.PROTECT,  # adoption records are evidence: archive, never cascade away
        related_name="adoptions",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="adoptions"
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="adoptions"
    )
    # When given, the region is the local authority's (adopters/services.py, `placed`).
    local_authority = models.ForeignKey(
        LocalAuthority,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adoptions",
        help_text="The local authority district where it happens; its region follows.",
    )
    area = models.CharField(
        max_length=200, blank=True, help_text="Town, district or borough.", validators=[single_line]
    )
    status = models.CharField(
        max_length=20, choices=AdoptionStatus.choices, default=AdoptionStatus.EXPLORING
    )
    adapted = models.BooleanField(default=False, help_text="Adapted rather than taken as it is.")
    adaptations = models.TextField("what was adapted", blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    people_reached = models.PositiveIntegerField(null=True, blank=True)
    outcomes = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    # Shown on the innovation's page while it is stopped: what others can learn from.
    stopped_reason = models.TextField(
        "why it paused or stopped",
        max_length=2000,
        blank=True,
        help_text="Shown publicly, for the next adopter to learn from.",
    )
    will_talk = models.BooleanField(
        "will talk to the next adopter", default=False, help_text="Happy to share experience."
    )
    contact_name = models.CharField(max_length=200, blank=True, validators=[single_line])
    contact_email = models.EmailField(blank=True, validators=[single_line])
    verified = models.BooleanField(default=False, help_text="Checked by a curator.")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # Stored, not worked out from `verified` and the innovation's owners when read: it says who
    # told us when they told us, and stays true when the innovation's owners change later.
    # Kept by adopters/services.py (recording, editing, verifying).
    provenance = models.CharField(
        max_length=30,
        choices=Provenance.choices,
        default=Provenance.SELF_REPORTED,
        help_text="How we know: reported by the adopter, reported by an owner of the "
        "innovation, or checked by a curator.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_adoptions",
    )
    source = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where these facts come from.",
        validators=[single_line],
    )
    # Follow-ups (adopters/follow_ups.py). The due date is kept by every dated step
    # (services.note_status) and by each follow-up sent; a curator may move it in the admin.
    next_follow_up_on = models.DateField(
        "next follow-up due",
        null=True,
        blank=True,
        help_text="When we next email whoever recorded it to ask how it is going. Empty once "
        "it is adopted, scaled, paused or stopped.",
    )
    # The emailed link is bound to the follow-up it came with: a newer one, or an answer,
    # makes it stop working.
    follow_up_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    follow_up_answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdoptionQuerySet.as_manager()
    # The audit history (kernel/audit.py); not `history`, which is the dated status steps.
    # The status steps themselves are not audited: each is already a dated, signed record; nor
    # is the follow-ups' bookkeeping, which changes on every step and every email.
    audit = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "next_follow_up_on",
            "follow_up_sent_at",
            "follow_up_answered_at",
        ]
    )

    class Meta:
        ordering = ["innovation__title", "organisation__name", "area"]
        indexes = [
            # "Recently adopted" on the home page: the newest first, read from the top.
            models.Index(
                F("started_on").desc(nulls_last=True),
                F("created_at").desc(),
                name="adoption_recent",
            ),
            # The daily follow-ups read the few adoptions due, not every one on its way.
            models.Index(
                "next_follow_up_on",
                condition=Q(status__in=FOLLOWED_UP_STATUSES),
                name="adoption_follow_up_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                "innovation",
                "organisation",
                Lower("area"),
                name="adoption_unique_per_organisation_and_area",
                violation_error_message="This organisation already has an adoption of this "
                "innovation in this area.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AdoptionStatus.values),
                name="adoption_status_known",
                violation_error_message="Unknown adoption status.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="adoption_dates_in_order",
                violation_error_message="An adoption cannot end before it started.",
            ),
            models.CheckConstraint(
                condition=Q(verified=False) | Q(verified_at__isnull=False),
                name="adoption_verified_has_date",
                violation_error_message="A verified adoption needs the date it was verified.",
            ),
            models.CheckConstraint(
                condition=Q(verified=True, provenance=Provenance.VERIFIED)
                | (
                    Q(verified=False)
                    & Q(provenance__in=[Provenance.SELF_REPORTED, Provenance.REPORTED_BY_INNOVATOR])
                ),
                name="adoption_provenance_matches_verified",
                violation_error_message="An adoption is verified exactly when a curator "
                "checked it.",
            ),
        ]

    def __str__(self) -> str:
        place = f" in {self.area}" if self.area else ""
        return f"{self.innovation} by {self.organisation}{place}"

    def get_absolute_url(self) -> str:
        return reverse("adopters:adoption", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ADOPTION_STATUSES

    def follow_up_due_after(self, day: date) -> date | None:
        """When its next follow-up email is due, counting from `day` (the latest news of it,
        or the follow-up sent that day): FIRST_FOLLOW_UP_MONTHS later while none has been
        sent, FOLLOW_UP_MONTHS once one has; never once it is adopted, scaled, paused or
        stopped."""
        if self.status not in FOLLOWED_UP_STATUSES:
            return None
        if self.follow_up_sent_at is None:
            return months_after(day, FIRST_FOLLOW_UP_MONTHS)
        return months_after(day, FOLLOW_UP_MONTHS)


class AdoptionStatusChange(models.Model):
    """One dated step in an adoption's history: every status it has been in, and when."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=20, choices=AdoptionStatus.choices)
    changed_on = models.DateField()
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "created_at"]
        get_latest_by = ["changed_on", "created_at"]
        verbose_name = "status change"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AdoptionStatus.values),
                name="adoption_status_change_known",
                violation_error_message="Unknown adoption status.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.changed_on:%d %B %Y}"


class RegistrationOfInterest(models.Model):
    """Someone, with or without an account, telling an innovation's team they are interested."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.PROTECT, related_name="registrations"
    )
    name = models.CharField(max_length=200, validators=[single_line])
    email = models.EmailField(validators=[single_line, unquoted])
    organisation_name = models.CharField(
        "organisation", max_length=200, blank=True, validators=[single_line]
    )
    organisation_kind = models.CharField(
        max_length=30, choices=OrganisationKind.choices, blank=True
    )
    role = models.CharField(max_length=200, blank=True, validators=[single_line])
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    interests = ArrayField(
        models.CharField(max_length=30, choices=Interest.choices), default=list, blank=True
    )
    message = models.TextField(blank=True)
    consent = models.BooleanField(default=False)
    consent_text = models.TextField(help_text="The exact wording the person agreed to.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.NEW
    )
    adoption = models.ForeignKey(
        Adoption,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registrations",
        help_text="The adoption this interest turned into.",
    )
    client_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="A keyed hash of the sender's network address, for the rate limit; "
        "the address itself is not kept.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "registration of interest"
        verbose_name_plural = "registrations of interest"
        indexes = [
            # The rate limit counts a mailbox's recent registrations (name+1@ is name@).
            models.Index(mailbox(F("email")), "created_at", name="registration_mailbox_recent"),
            # The rate limit counts an address's recent registrations.
            models.Index("client_key", "created_at", name="registration_client_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent=True) & ~Q(consent_text=""),
                name="registration_has_consent",
                violation_error_message="A registration needs consent and its wording.",
            ),
            models.CheckConstraint(
                condition=Q(interests__contained_by=Interest.values),
                name="registration_interests_known",
                violation_error_message="Unknown interest.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[RegistrationStatus.NEW, RegistrationStatus.CLOSED])
                | Q(confirmed_at__isnull=False),
                name="registration_confirmed_before_progress",
                violation_error_message="Only a confirmed registration can move past new.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="registration_status_known",
                violation_error_message="Unknown registration status.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.innovation}"

    def get_interests_display(self) -> list[str]:
        return [Interest(interest).label for interest in self.interests]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.status not in (RegistrationStatus.NEW, RegistrationStatus.CLOSED) and (
            self.confirmed_at is None
        ):
            raise ValidationError(
                {"status": "The person has not confirmed their email address yet."}
            )

"""Curation: everything a curator needs to keep the catalogue trustworthy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join

from catalogue import completeness, freshness, revisions, services
from catalogue.choices import ModerationStatus
from catalogue.models import (
    OLDEST_REVIEW_FIRST,
    BeneficiaryGroup,
    Innovation,
    InnovationRevision,
    LocalAuthority,
    Organisation,
    ReachFigure,
    Region,
    Resource,
    ScalingRoute,
    Sector,
    Synonym,
    review_due_condition,
    synonym_term,
)
from kernel.admin import URL_FIELDS, AuditHistoryAdmin
from kernel.http import signed_in_user

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    from catalogue.models import Vocabulary

    # What the admins' querysets annotate their rows with.
    class _Totals(TypedDict):
        innovation_total: int
        adoption_total: int

    class _InnovationTotal(TypedDict):
        innovation_total: int


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """Regions are the contract's fixed list: only their order and map position can change."""

    list_display = ["name", "slug", "kind", "parent", "position"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    ordering = ["position"]
    list_select_related = ["parent"]
    readonly_fields = ["slug", "name", "kind", "parent"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Region | None = None) -> bool:
        return False


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    """The 361 local authority districts are reference data seeded by a migration: curators
    look them up (and adoptions' autocomplete searches them), but nobody edits them here."""

    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    search_fields = ["name", "code"]
    list_select_related = ["region"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: LocalAuthority | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: LocalAuthority | None = None
    ) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["name", "kind", "region", "innovation_count", "adoption_count"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return (
            super()
            .get_queryset(request)
            .select_related("region")
            .annotate(
                innovation_total=Count("led_innovations", distinct=True),
                adoption_total=Count("adoptions", distinct=True),
            )
        )

    @admin.display(description="innovations led", ordering="innovation_total")
    def innovation_count(self, obj: WithAnnotations[Organisation, _Totals]) -> int:
        return obj.innovation_total

    @admin.display(description="adoptions", ordering="adoption_total")
    def adoption_count(self, obj: WithAnnotations[Organisation, _Totals]) -> int:
        return obj.adoption_total


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "innovation_count"]
    search_fields = ["name"]
    readonly_fields = ["slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(innovation_total=Count("innovations"))

    @admin.display(description="innovations", ordering="innovation_total")
    def innovation_count(self, obj: WithAnnotations[Vocabulary, _InnovationTotal]) -> int:
        return obj.innovation_total


admin.site.register(Sector, VocabularyAdmin)
admin.site.register(BeneficiaryGroup, VocabularyAdmin)
admin.site.register(ScalingRoute, VocabularyAdmin)


class ReachFigureInline(admin.TabularInline):
    model = ReachFigure
    extra = 0
    fields = ["measure", "value", "date", "source"]


class ReviewDueFilter(admin.SimpleListFilter):
    """Entries due a review (never reviewed, or not for twelve months: the rule of
    catalogue.models.review_due_condition), listed oldest first (InnovationAdmin.get_ordering)."""

    title = "review due"
    parameter_name = "review_due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Due a review"), ("no", "Reviewed in the last 12 months")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        due = review_due_condition(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(due)
        if self.value() == "no":
            return queryset.exclude(due)
        return None


class CompletenessFilter(admin.SimpleListFilter):
    """Entries by how complete they are (catalogue.completeness.BANDS)."""

    title = "completeness"
    parameter_name = "complete"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, label) for value, label, _ in completeness.BANDS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        for value, _, condition in completeness.BANDS:
            if self.value() == value:
                return queryset.filter(condition)
        return None


@admin.register(Innovation)
class InnovationAdmin(AuditHistoryAdmin):
    formfield_overrides = URL_FIELDS
    list_display = [
        "title",
        "status",
        "stage",
        "evidence_level",
        "lead_organisation",
        "adoptions",
        "complete",
        "last_reviewed",
        "updated_at",
    ]
    list_filter = [
        "status",
        ReviewDueFilter,
        CompletenessFilter,
        "stage",
        "kind",
        "evidence_level",
        "sectors",
        "regions",
        "cost_band",
    ]
    search_fields = ["title", "slug", "summary", "lead_organisation__name"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = [
        "lead_organisation",
        "partners",
        "sectors",
        "beneficiaries",
        "scaling_routes",
        "regions",
        "owners",
    ]
    readonly_fields = [
        "status",
        "submitted_at",
        "published_at",
        "moderation_note",
        "moderated_at",
        "created_at",
        "updated_at",
        # Reviews go through the action and the services (catalogue/freshness.py).
        "last_reviewed_on",
        "confirmed_by_owners",
        "review_requested_at",
        "missing",
    ]
    date_hierarchy = "created_at"
    inlines: ClassVar[list[type[InlineModelAdmin]]] = [ReachFigureInline]
    actions = ["submit_selected", "publish_selected", "archive_selected", "mark_reviewed_today"]
    list_select_related = ["lead_organisation"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "kind", "stage"]}),
        (
            "What it is",
            {"fields": ["problem", "how_it_works", "core", "adaptable", "outcomes"]},
        ),
        ("Evidence", {"fields": ["evidence_level", "evidence_summary"]}),
        (
            "Spread",
            {
                "fields": [
                    "scaling_ways",
                    "scaling_routes",
                    "sectors",
                    "beneficiaries",
                    "regions",
                    "year_started",
                ]
            },
        ),
        (
            "Who runs it",
            {
                "fields": [
                    "lead_organisation",
                    "partners",
                    "website",
                    "contact_name",
                    "contact_email",
                    "owners",
                ]
            },
        ),
        ("Cost", {"fields": ["cost_band", "cost_notes", "funding_model"]}),
        (
            "Complete and up to date",
            {
                "fields": [
                    "missing",
                    "last_reviewed_on",
                    "confirmed_by_owners",
                    "review_requested_at",
                ]
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "source",
                    "submitted_at",
                    "published_at",
                    "moderation_note",
                    "moderated_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(ordering="adoption_count", description="adoptions")
    def adoptions(self, obj: Innovation) -> int:
        return obj.adoption_count

    def get_queryset(self, request: HttpRequest) -> QuerySet[Innovation]:
        """With every entry's completeness, read in the query that lists them."""
        return completeness.with_completeness(super().get_queryset(request))

    def get_ordering(self, request: HttpRequest) -> list[Any]:
        """Entries due a review are listed oldest first, never reviewed at the top."""
        if request.GET.get(ReviewDueFilter.parameter_name) == "yes":
            return [OLDEST_REVIEW_FIRST, "title"]
        return list(super().get_ordering(request) or [])

    @admin.display(ordering="completeness_score", description="complete")
    def complete(self, obj: Innovation) -> str:
        found = completeness.of(obj)
        missing = ", ".join(found.missing_keys)
        return format_html(
            '<span title="{}">{}%</span>',
            f"Missing: {missing}" if missing else "Nothing missing",
            found.score,
        )

    @admin.display(ordering=OLDEST_REVIEW_FIRST, description="last reviewed")
    def last_reviewed(self, obj: Innovation) -> str:
        if obj.last_reviewed_on is None:
            said = "Never"
        else:
            said = dateformat.format(obj.last_reviewed_on, "j M Y")
            said += " (owners)" if obj.confirmed_by_owners else ""
        if obj.review_due:
            return format_html("{} <strong>· due</strong>", said)
        return said

    @admin.display(description="what is missing")
    def missing(self, obj: Innovation) -> str:
        if obj._state.adding:  # the add page: nothing to check yet
            return "—"
        found = completeness.of(obj)
        gaps = completeness.gaps(obj, curator=True, where="admin", found=found)
        if not gaps:
            return "Nothing: the entry is complete."
        return format_html(
            "{}% complete. Missing:<ul>{}</ul>",
            found.score,
            format_html_join(
                "", '<li><a href="{}">{}</a></li>', ((gap.url, gap.label) for gap in gaps)
            ),
        )

    @admin.action(description="Mark reviewed today")
    def mark_reviewed_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        curator = signed_in_user(request)
        for innovation in queryset:
            freshness.mark_reviewed(innovation, by=curator)
        self.message_user(
            request, f"{len(queryset)} innovation(s) marked reviewed today.", messages.SUCCESS
        )

    def save_model(
        self, request: HttpRequest, obj: Innovation, form: forms.ModelForm, change: bool
    ) -> None:
        """An edit goes through the rule every edit follows (services.edit_innovation),
        writing only the fields the curator changed; the relations are saved with the form's
        (save_related). A new entry is saved as the curator made it, owners and all."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        columns = [
            name for name in form.changed_data if not Innovation._meta.get_field(name).many_to_many
        ]
        services.edit_innovation(
            obj, {name: getattr(obj, name) for name in columns}, by=signed_in_user(request)
        )

    def _moderate(
        self,
        request: HttpRequest,
        queryset: QuerySet[Innovation],
        action: Callable[..., Innovation],
        verb: str,
    ) -> None:
        done, refused = 0, []
        for innovation in queryset:
            try:
                action(innovation, by=request.user, absolute=request.build_absolute_uri)
                done += 1
            except services.ModerationError as exc:
                refused.append(str(exc))
        if done:
            self.message_user(request, f"{done} innovation(s) {verb}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    # The review page: the entry and the changes proposed to it, and the curator's decisions,
    # each saying why (sending back and returning changes must).
    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/moderate/",
                self.admin_site.admin_view(self.moderate_view),
                name="catalogue_innovation_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        innovation = get_object_or_404(
            Innovation.objects.with_vocabularies().prefetch_related("partners", "owners"), pk=pk
        )
        if not self.has_change_permission(request, innovation):
            raise PermissionDenied
        revision = services.pending_revision(innovation)
        posted = request.POST if request.method == "POST" else None
        entry_form = EntryDecisionForm(
            posted if posted and "entry-decision" in posted else None,
            innovation=innovation,
            prefix="entry",
        )
        revision_form = RevisionDecisionForm(
            posted if posted and "revision-decision" in posted else None,
            initial={"version": revision.version if revision else None},
            prefix="revision",
        )
        for form in (entry_form, revision_form):
            if form.is_bound and form.is_valid():
                try:
                    done = form.decide(request, innovation, revision)
                except ValidationError as error:
                    said = getattr(error, "error_dict", {}).get("reason")
                    form.add_error("reason" if said else None, said or error.messages)
                except services.ModerationError as error:
                    form.add_error(None, str(error))
                else:
                    self.message_user(request, done, messages.SUCCESS)
                    return redirect("admin:catalogue_innovation_moderate", pk=innovation.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review “{innovation.title}”",
            "opts": self.model._meta,
            "innovation": innovation,
            "revision": revision,
            "changes": revisions.changes(revision) if revision else [],
            "to_check": services.organisations_to_check(revision) if revision else [],
            "entry_form": entry_form,
            "revision_form": revision_form,
        }
        status = 400 if entry_form.errors or revision_form.errors else 200
        return TemplateResponse(
            request, "admin/catalogue/innovation/moderate.html", context, status=status
        )

    @admin.action(description="Submit selected innovations for review")
    def submit_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, services.submit, "submitted")

    @admin.action(description="Publish selected innovations")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, services.publish, "published")

    @admin.action(description="Archive selected innovations")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, services.archive, "archived")


class DecisionForm(forms.Form):
    """A curator's decision and what they say with it (their owners read it)."""

    reason = forms.CharField(
        label="What to tell its owners",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
    )

    def decide(
        self, request: HttpRequest, innovation: Innovation, revision: InnovationRevision | None
    ) -> str:
        """Make the decision through the services; what the curator is told once done."""
        raise NotImplementedError


# The entry's moves a curator makes here, with what the button says and what is done.
ENTRY_DECISIONS = {
    ModerationStatus.PUBLISHED: ("Publish", "published"),
    ModerationStatus.DRAFT: ("Send back to its owners", "sent back to its owners"),
    ModerationStatus.ARCHIVED: ("Archive", "archived"),
}


class EntryDecisionForm(DecisionForm):
    """Publish the entry, send it back (saying why), or archive it: the entry as the curator
    read it, which `seen` (when it was last changed, as the page showed it) holds them to."""

    decision = forms.ChoiceField(choices=[])
    seen = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, innovation: Innovation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["seen"] = innovation.updated_at.isoformat()
        super().__init__(*args, **kwargs)
        allowed = services.ALLOWED_MOVES[innovation.status]
        self.choices = [(to, text) for to, (text, _) in ENTRY_DECISIONS.items() if to in allowed]
        cast(forms.ChoiceField, self.fields["decision"]).choices = self.choices
        self.fields[
            "reason"
        ].help_text = "Required when you send it back: say what to change. Optional otherwise."

    def decide(
        self, request: HttpRequest, innovation: Innovation, revision: InnovationRevision | None
    ) -> str:
        to = self.cleaned_data["decision"]
        if self.cleaned_data["seen"] != innovation.updated_at.isoformat():
            raise services.ModerationError(
                "The entry has changed since this page was opened: read it again before deciding."
            )
        services.MOVES[to](
            innovation,
            by=signed_in_user(request),
            reason=self.cleaned_data["reason"],
            absolute=request.build_absolute_uri,
        )
        return f"“{innovation.title}” is {ENTRY_DECISIONS[to][1]}; its owners were emailed."


class RevisionDecisionForm(DecisionForm):
    """Accept the proposed changes, or return them (saying why)."""

    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("return", "Return")])
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "reason"
        ].help_text = "Required when you return them: say why. Optional when you accept them."

    def decide(
        self, request: HttpRequest, innovation: Innovation, revision: InnovationRevision | None
    ) -> str:
        if revision is None:
            raise services.ModerationError("No changes wait for a decision on this entry.")
        by, reason = signed_in_user(request), self.cleaned_data["reason"]
        version, absolute = self.cleaned_data["version"], request.build_absolute_uri
        if self.cleaned_data["decision"] == "accept":
            services.accept_revision(
                revision, by=by, version=version, reason=reason, absolute=absolute
            )
            return "The proposed changes are accepted and written; its owners were emailed."
        services.return_revision(revision, by=by, version=version, reason=reason, absolute=absolute)
        return "The proposed changes are returned; its owners were emailed why."


@admin.register(InnovationRevision)
class InnovationRevisionAdmin(AuditHistoryAdmin):
    """Owners' proposed changes: what waits, and every decision (read-only here: decide on the
    innovation's review page)."""

    list_display = ["innovation", "status", "proposed_at", "decided_at", "review"]
    list_filter = ["status"]
    search_fields = ["innovation__title"]
    list_select_related = ["innovation"]
    ordering = ["status", "proposed_at"]
    date_hierarchy = "proposed_at"
    readonly_fields = [
        "innovation",
        "status",
        "version",
        "changes",
        "proposed_by",
        "proposed_at",
        "reason",
        "decided_by",
        "decided_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: InnovationRevision | None = None
    ) -> bool:
        return False

    @admin.display(description="review")
    def review(self, obj: InnovationRevision) -> str:
        url = reverse("admin:catalogue_innovation_moderate", args=[obj.innovation_id])
        return format_html('<a href="{}">Review</a>', url)


@admin.register(ReachFigure)
class ReachFigureAdmin(admin.ModelAdmin):
    list_display = ["innovation", "measure", "value", "date", "source"]
    list_filter = ["measure"]
    search_fields = ["innovation__title", "measure", "source"]
    autocomplete_fields = ["innovation"]
    list_select_related = ["innovation"]
    date_hierarchy = "date"


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS
    list_display = ["title", "kind", "publisher", "link"]
    list_filter = ["kind"]
    search_fields = ["title", "publisher", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["innovations"]

    @admin.display(description="URL")
    def link(self, obj: Resource) -> str:
        return format_html('<a href="{}">{}</a>', obj.url, obj.url) if obj.url else "—"


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    """Words and phrases a search treats as the same (docs/search.md, "Synonyms"). A change
    applies to the next search; nothing is cached."""

    list_display = ["__str__", "note"]
    search_fields = ["note"]
    fields = ["terms", "note"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Synonym], search_term: str
    ) -> tuple[QuerySet[Synonym], bool]:
        """Found by any of their terms as well as by their note."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = synonym_term(search_term)
        if term:
            found = found | queryset.filter(Q(terms__contains=[term]))
        return found, duplicates

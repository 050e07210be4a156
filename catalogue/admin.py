"""Curation: everything a curator needs to keep the catalogue trustworthy."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from catalogue import services
from catalogue.models import (
    BeneficiaryGroup,
    Innovation,
    Organisation,
    ReachFigure,
    Region,
    Resource,
    ScalingRoute,
    Sector,
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
        "updated_at",
    ]
    list_filter = ["status", "stage", "kind", "evidence_level", "sectors", "regions", "cost_band"]
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
    readonly_fields = ["status", "submitted_at", "published_at", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines: ClassVar[list[type[InlineModelAdmin]]] = [ReachFigureInline]
    actions = ["submit_selected", "publish_selected", "archive_selected"]
    list_select_related = ["lead_organisation"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "status", "kind", "stage"]}),
        (
            "What it is",
            {"fields": ["problem", "how_it_works", "core", "adaptable", "outcomes"]},
        ),
        ("Evidence", {"fields": ["evidence_level", "evidence_summary", "last_reviewed_on"]}),
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
            "Record",
            {"fields": ["source", "submitted_at", "published_at", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(ordering="adoption_count", description="adoptions")
    def adoptions(self, obj: Innovation) -> int:
        return obj.adoption_count

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
                action(innovation, by=request.user)
                done += 1
            except services.ModerationError as exc:
                refused.append(str(exc))
        if done:
            self.message_user(request, f"{done} innovation(s) {verb}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Submit selected innovations for review")
    def submit_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, services.submit, "submitted")

    @admin.action(description="Publish selected innovations")
    def publish_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, services.publish, "published")

    @admin.action(description="Archive selected innovations")
    def archive_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, services.archive, "archived")


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

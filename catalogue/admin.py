"""Curation: everything a curator needs to keep the catalogue trustworthy."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from adopters.models import Adoption
from catalogue import services
from catalogue.importing import ImportFailed, import_catalogue, parse_json
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

# Curators paste addresses without a scheme; assume https (Django 6's default) rather than http.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class AuditHistoryAdmin(SimpleHistoryAdmin):
    """An admin whose History page lists every saved version (catalogue/audit.py): when, who,
    why, and which fields changed from what to what.

    The history is read-only. Restoring an old version would go round the rules that saves
    through the services keep (moderation moves, dated status steps, ring moves) and could bring
    back personal data that was erased, so the Revert button is gone and its form refuses posts.
    """

    object_history_list_template = "admin/audit_history_list.html"

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


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
    def innovation_count(self, obj: Organisation) -> int:
        return obj.innovation_total

    @admin.display(description="adoptions", ordering="adoption_total")
    def adoption_count(self, obj: Organisation) -> int:
        return obj.adoption_total


class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "innovation_count"]
    search_fields = ["name"]
    readonly_fields = ["slug"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(innovation_total=Count("innovations"))

    @admin.display(description="innovations", ordering="innovation_total")
    def innovation_count(self, obj) -> int:
        return obj.innovation_total


admin.site.register(Sector, VocabularyAdmin)
admin.site.register(BeneficiaryGroup, VocabularyAdmin)
admin.site.register(ScalingRoute, VocabularyAdmin)


class ReachFigureInline(admin.TabularInline):
    model = ReachFigure
    extra = 0
    fields = ["measure", "value", "date", "source"]


class AdoptionInline(admin.TabularInline):
    model = Adoption
    extra = 0
    fields = ["organisation", "region", "area", "status", "adapted", "verified"]
    readonly_fields = ["verified"]
    autocomplete_fields = ["organisation", "region"]
    show_change_link = True


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A JSON file in the catalogue format (docs/import-format.md).")


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
    inlines = [ReachFigureInline, AdoptionInline]
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

    def save_formset(self, request, form, formset, change: bool) -> None:
        """Adoptions added or moved on this page get their dated status step too."""
        from adopters.services import note_status

        deleted = set(map(id, formset.deleted_forms))
        fresh = [f for f in formset.extra_forms if f.has_changed() and id(f) not in deleted]
        moved = [
            f for f in formset.initial_forms if "status" in f.changed_data and id(f) not in deleted
        ]
        formset.save()
        if formset.model is Adoption:
            for adoption_form in fresh + moved:
                note_status(adoption_form.instance, by=request.user, note="Changed in the admin.")

    def _moderate(self, request: HttpRequest, queryset: QuerySet, action, verb: str) -> None:
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

    # The same import as `manage.py import_catalogue`, for curators who live in the admin.
    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="catalogue_innovation_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        report_lines: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                report = import_catalogue(parse_json(form.cleaned_data["file"].read()))
            except ImportFailed as failure:
                problems = failure.problems
            else:
                report_lines = report.lines()
                self.message_user(request, "Import finished: " + "; ".join(report_lines))
                return redirect(reverse("admin:catalogue_innovation_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a catalogue file",
            "form": form,
            "problems": problems,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalogue/import.html", context)


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

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Field, QuerySet
from django.http import HttpRequest

from adopters import services
from adopters.choices import Provenance
from adopters.models import (
    Adoption,
    AdoptionStatusChange,
    RegistrationOfInterest,
)
from kernel.admin import AuditHistoryAdmin
from kernel.http import signed_in_user


class StatusChangeInline(admin.TabularInline):
    model = AdoptionStatusChange
    extra = 0
    fields = ["status", "changed_on", "note", "changed_by"]
    readonly_fields = ["changed_by"]


@admin.register(Adoption)
class AdoptionAdmin(AuditHistoryAdmin):
    list_display = [
        "innovation",
        "organisation",
        "region",
        "local_authority",
        "area",
        "status",
        "adapted",
        "provenance",
        "updated_at",
    ]
    list_filter = [
        "status",
        "provenance",
        "adapted",
        "will_talk",
        "region",
        ("local_authority", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "innovation__title",
        "organisation__name",
        "area",
        "local_authority__name",
        "=local_authority__code",
    ]
    # The region follows the local authority when one is named (services.placed).
    autocomplete_fields = ["innovation", "organisation", "region", "local_authority"]
    readonly_fields = [
        "verified",
        "verified_by",
        "verified_at",
        "recorded_by",
        "created_at",
        # The follow-ups' own bookkeeping (adopters/follow_ups.py); the due date may be moved.
        "follow_up_sent_at",
        "follow_up_answered_at",
    ]
    list_select_related = ["innovation", "organisation", "region", "local_authority"]
    inlines = [StatusChangeInline]
    actions = ["mark_verified"]

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "provenance":
            # Left empty, it follows who recorded the adoption (adopters.services).
            return forms.ChoiceField(
                choices=[("", "As whoever records it tells us"), *Provenance.choices],
                required=False,
                help_text="How we know of it. Choosing checked by a curator verifies it; "
                "left empty, it is as the person who records it reported it.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.action(description="Mark selected adoptions as verified")
    def mark_verified(self, request: HttpRequest, queryset: QuerySet[Adoption]) -> None:
        count = 0
        for adoption in queryset.filter(verified=False):
            services.verify_adoption(adoption, by=signed_in_user(request))
            count += 1
        self.message_user(request, f"{count} adoption(s) marked verified.", messages.SUCCESS)

    def save_model(
        self, request: HttpRequest, obj: Adoption, form: forms.ModelForm, change: bool
    ) -> None:
        """Through the rules the site and the API follow: a new adoption is recorded by the
        curator and starts its dated history; an edit writes only what changed, and a new
        status is a dated step. The curator says how we know of it (`provenance`): choosing
        verified verifies it."""
        note = "Changed in the admin."
        if not change:
            services.record_adoption(
                obj, by=signed_in_user(request), note=note, provenance=obj.provenance or None
            )
            return
        # A fresh copy: the form has already written its values onto `obj`, and the service
        # writes only what differs from what is stored.
        services.edit_adoption(
            Adoption.objects.get(pk=obj.pk),
            {
                name: getattr(obj, name)
                for name in form.changed_data
                if name not in ("status", "provenance")
            },
            status=obj.status,
            by=signed_in_user(request),
            note=note if "status" in form.changed_data else "",
            provenance=(obj.provenance or None) if "provenance" in form.changed_data else None,
        )

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formset: forms.BaseModelFormSet,
        change: bool,
    ) -> None:
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, AdoptionStatusChange) and instance.changed_by_id is None:
                instance.changed_by = signed_in_user(request)
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(AdoptionStatusChange)
class AdoptionStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["adoption", "status", "changed_on", "changed_by"]
    list_filter = ["status"]
    search_fields = ["adoption__innovation__title", "adoption__organisation__name", "note"]
    autocomplete_fields = ["adoption"]
    readonly_fields = ["changed_by"]
    list_select_related = ["adoption__innovation", "adoption__organisation", "changed_by"]
    date_hierarchy = "changed_on"


@admin.register(RegistrationOfInterest)
class RegistrationOfInterestAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "innovation", "organisation_name", "status", "created_at"]
    list_filter = ["status", "organisation_kind", "region"]
    search_fields = ["name", "email", "organisation_name", "innovation__title"]
    autocomplete_fields = ["innovation", "region", "adoption"]
    readonly_fields = ["consent", "consent_text", "confirmed_at", "created_at", "updated_at"]
    list_select_related = ["innovation"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Registrations come from the person themselves, with their consent, never from staff.
        return False

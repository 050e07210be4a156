from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kernel.admin import AuditHistoryAdmin
from kernel.http import signed_in_user
from networks.choices import JoinedThrough
from networks.models import Membership, Mentoring, Network, NetworkQuerySet, RingMove, RingRequest

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    # What NetworkQuerySet.with_ring_sizes() annotates.
    class _RingSizes(TypedDict):
        core_size: int
        learning_size: int
        interest_size: int


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["name", "email", "ring", "role", "joined_on", "left_on", "listed_publicly"]
    show_change_link = True
    # Leaving (a left date) is the way out: deleting a member would delete their history.
    can_delete = False


class ReadOnlyHistory:
    """The moves between rings are the record of a network: written by the services (and by
    this admin when a curator adds or moves someone), never edited or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class RingMoveInline(ReadOnlyHistory, admin.TabularInline):
    model = RingMove
    extra = 0
    fields = ["from_ring", "to_ring", "moved_at", "moved_by", "reason"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "innovation", "core_size", "learning_size", "interest_size"]
    search_fields = ["name", "slug", "innovation__title"]
    list_filter = [("innovation", admin.EmptyFieldListFilter)]
    autocomplete_fields = ["innovation"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formset: forms.BaseModelFormSet,
        change: bool,
    ) -> None:
        """Members added or moved on this page get their ring move recorded too."""
        deleted = set(map(id, formset.deleted_forms))
        fresh = [f for f in formset.extra_forms if f.has_changed() and id(f) not in deleted]
        moved = [
            (f, f.initial.get("ring", ""))
            for f in formset.initial_forms
            if "ring" in f.changed_data and id(f) not in deleted
        ]
        for member_form in fresh:
            member_form.instance.joined_through = JoinedThrough.CURATOR
        formset.save()
        for member_form, from_ring in [(f, "") for f in fresh] + moved:
            RingMove.objects.create(
                membership=member_form.instance,
                from_ring=from_ring,
                to_ring=member_form.instance.ring,
                moved_at=timezone.now(),
                moved_by=signed_in_user(request),
                reason="Changed by a curator in the admin." if from_ring else "Added in the admin.",
            )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Network]:
        networks = cast(NetworkQuerySet, super().get_queryset(request))  # Network.objects'
        return networks.select_related("innovation").with_ring_sizes()

    @admin.display(description="core", ordering="core_size")
    def core_size(self, obj: WithAnnotations[Network, _RingSizes]) -> int:
        return obj.core_size

    @admin.display(description="learning", ordering="learning_size")
    def learning_size(self, obj: WithAnnotations[Network, _RingSizes]) -> int:
        return obj.learning_size

    @admin.display(description="interest", ordering="interest_size")
    def interest_size(self, obj: WithAnnotations[Network, _RingSizes]) -> int:
        return obj.interest_size


@admin.register(Membership)
class MembershipAdmin(AuditHistoryAdmin):
    list_display = ["email", "name", "network", "ring", "role", "joined_on", "left_on"]
    list_filter = ["ring", "role", "joined_through", "listed_publicly"]
    search_fields = ["email", "name", "network__name"]
    autocomplete_fields = ["network", "user"]
    list_select_related = ["network"]
    inlines = [RingMoveInline]

    def save_model(
        self, request: HttpRequest, obj: Membership, form: forms.ModelForm, change: bool
    ) -> None:
        # Every ring a member is put in is part of their history, with who did it and why.
        if not change:
            obj.joined_through = JoinedThrough.CURATOR
        super().save_model(request, obj, form, change)
        if not change or "ring" in form.changed_data:
            RingMove.objects.create(
                membership=obj,
                from_ring=form.initial.get("ring", "") if change else "",
                to_ring=obj.ring,
                moved_at=timezone.now(),
                moved_by=signed_in_user(request),
                reason="Changed by a curator in the admin." if change else "Added in the admin.",
            )

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # leaving keeps the history; erase_person anonymises


@admin.register(RingMove)
class RingMoveAdmin(ReadOnlyHistory, admin.ModelAdmin):
    list_display = ["membership", "from_ring", "to_ring", "moved_at", "moved_by"]
    list_filter = ["to_ring", "from_ring"]
    search_fields = ["membership__email", "membership__network__name", "reason"]
    list_select_related = ["membership__network", "moved_by"]
    date_hierarchy = "moved_at"


@admin.register(RingRequest)
class RingRequestAdmin(admin.ModelAdmin):
    """Requests to join the learning ring and invitations into the core (decided on the
    facilitator's page; kept here for the record)."""

    list_display = ["membership", "kind", "ring", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status"]
    search_fields = ["membership__name", "membership__email", "membership__network__name"]
    list_select_related = ["membership__network"]
    readonly_fields = ["created_by", "decided_by", "decided_at"]
    autocomplete_fields = ["membership"]


@admin.register(Mentoring)
class MentoringAdmin(admin.ModelAdmin):
    list_display = ["mentee", "mentor", "asked_at", "paired_at"]
    search_fields = ["mentee__name", "mentee__email", "mentor__name", "mentor__email"]
    list_select_related = ["mentee__network", "mentor__network"]
    readonly_fields = ["paired_by"]
    autocomplete_fields = ["mentee", "mentor"]

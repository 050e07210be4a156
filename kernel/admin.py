"""Admin pieces every app uses: the audited model admin, URL fields, and the email outbox."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from kernel import outbox
from kernel.models import OutgoingEmail

# Curators paste addresses without a scheme; assume https (Django 6's default) rather than http.
URL_FIELDS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


class AuditHistoryAdmin(SimpleHistoryAdmin):
    """An admin whose History page lists every saved version (kernel/audit.py): when, who,
    why, and which fields changed from what to what.

    The history is read-only. Restoring an old version would go round the rules that saves
    through the services keep (moderation moves, dated status steps, ring moves) and could bring
    back personal data that was erased, so the Revert button is gone and its form refuses posts.
    """

    object_history_list_template = "admin/audit_history_list.html"

    def revert_disabled(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return True

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class DeliveryFilter(admin.SimpleListFilter):
    """Sent, still being tried, or given up on after every try (kernel/outbox.py)."""

    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("sent", "Sent"), ("trying", "Still being tried"), ("given-up", "Given up")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]
    ) -> QuerySet[OutgoingEmail]:
        unsent = queryset.filter(sent_at__isnull=True)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "trying":
            return unsent.filter(attempts__lt=outbox.MAX_ATTEMPTS)
        if self.value() == "given-up":
            return unsent.filter(attempts__gte=outbox.MAX_ATTEMPTS)
        return queryset


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The email queue: what went, what is waiting and why (kernel/outbox.py)."""

    list_display = ["subject", "to", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [DeliveryFilter]
    search_fields = ["to", "subject"]
    readonly_fields = [
        "to",
        "subject",
        "body",
        "headers",
        "created_at",
        "sent_at",
        "attempts",
        "last_attempt_at",
        "last_error",
    ]
    date_hierarchy = "created_at"
    actions = ["send_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: OutgoingEmail | None = None) -> list[Any]:
        # A waiting message may hold a link that confirms an address or resets a password:
        # only superusers read it.
        fields = list(super().get_fields(request, obj))
        return fields if request.user.is_superuser else [f for f in fields if f != "body"]

    @admin.action(description="Try to send the selected emails now")
    def send_now(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        waiting = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        sent = sum(outbox.deliver(pk) for pk in waiting)
        level = messages.SUCCESS if sent == len(waiting) else messages.WARNING
        self.message_user(request, f"Sent {sent} of {len(waiting)} waiting email(s).", level)

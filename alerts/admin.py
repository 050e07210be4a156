"""Curators see who asked for what, to answer a question about an email; they do not add
alerts for people (only the person's own confirmation starts one)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from alerts.models import Alert, Watch


class SubscriptionAdmin(admin.ModelAdmin):
    list_filter = ["frequency", ("confirmed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "address"]
    readonly_fields = ["email", "address", "frequency", "created_at", "confirmed_at",
                       "covered_until", "last_sent_at"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(SubscriptionAdmin):
    list_display = ["email", "query", "frequency", "confirmed_at", "last_sent_at"]
    readonly_fields = ["query", *SubscriptionAdmin.readonly_fields]


@admin.register(Watch)
class WatchAdmin(SubscriptionAdmin):
    list_display = ["email", "innovation", "frequency", "confirmed_at", "last_sent_at"]
    list_select_related = ["innovation"]
    readonly_fields = ["innovation", *SubscriptionAdmin.readonly_fields]

"""The admin home's list of what waits for the curators, and how many published entries are
due a review (templates/admin/index.html)."""

from __future__ import annotations

from django import template

from catalogue import services

register = template.Library()


@register.simple_tag
def waiting_for_curators() -> list[services.Waiting]:
    """Submissions and proposed changes, the longest waiting first (two queries)."""
    return services.waiting_for_curators()

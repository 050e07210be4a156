"""`{% needs_attention as items %}` for the admin home (portal/attention.py)."""

from __future__ import annotations

from django import template

from portal import attention

register = template.Library()


@register.simple_tag
def needs_attention() -> list[attention.Attention]:
    return attention.needs_attention()

"""What pages promise about who hears of interest in an innovation (adopters.services)."""

from __future__ import annotations

from django import template

from adopters import services
from catalogue.models import Innovation

register = template.Library()


@register.filter
def told_to_curators(innovation: Innovation) -> bool:
    """Whether the curators, not a team of its own, hear of interest in it and pass it on."""
    return services.interest_goes_to_curators(innovation)

"""Query shapes that need several apps' models, written once for the pages, the API and the
sitemap."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from adopters.models import Adoption
from catalogue.models import Innovation, Organisation


def public_organisations() -> QuerySet[Organisation]:
    """Organisations with a public page: those leading or partnering in a published
    innovation, or with a public adoption (the rest are known only through drafts)."""
    published = Innovation.objects.published()
    return Organisation.objects.filter(
        Exists(published.filter(lead_organisation=OuterRef("pk")))
        | Exists(published.filter(partners=OuterRef("pk")))
        | Exists(Adoption.objects.public().filter(organisation=OuterRef("pk")))
    )

"""Exporting the catalogue in the import file's shape, so that a round trip loses nothing."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from adopters.models import Adoption, AdoptionStatusChange
from catalogue.models import Innovation, InnovationQuerySet, Organisation, ReachFigure, Resource


def _text(value: str) -> str | None:
    return value or None


def export_catalogue(innovations: InnovationQuerySet | None = None) -> dict[str, Any]:
    """The whole catalogue (or the given innovations with what they refer to) as a document."""
    full = innovations is None
    if innovations is None:
        innovations = Innovation.objects.all()
    innovations = (
        innovations.with_vocabularies()
        .prefetch_related(
            "partners", Prefetch("reach", ReachFigure.objects.order_by("measure", "date"))
        )
        .order_by("slug")
    )
    innovation_list = list(innovations)
    slugs = {i.slug for i in innovation_list}

    adoptions = list(
        Adoption.objects.filter(innovation__slug__in=slugs)
        .select_related("innovation", "organisation", "region", "local_authority")
        .prefetch_related(
            Prefetch("history", AdoptionStatusChange.objects.order_by("changed_on", "created_at"))
        )
        .order_by("innovation__slug", "organisation__name", "area")
    )
    resources = list(
        Resource.objects.prefetch_related(
            Prefetch("innovations", Innovation.objects.only("slug").order_by("slug"))
        ).order_by("slug")
    )

    org_ids: set[int] = set()
    for innovation in innovation_list:
        if innovation.lead_organisation_id:
            org_ids.add(innovation.lead_organisation_id)
        org_ids.update(p.pk for p in innovation.partners.all())
    org_ids.update(a.organisation_id for a in adoptions)
    orgs = Organisation.objects.select_related("region").order_by("name")
    if not full:
        orgs = orgs.filter(pk__in=org_ids)

    return {
        "organisations": [_organisation(o) for o in orgs],
        "innovations": [_innovation(i) for i in innovation_list],
        # A partial (public) export leaves out the adopters' contact details.
        "adoptions": [_adoption(a, with_contacts=full) for a in adoptions],
        "resources": [
            _resource(r, None if full else slugs)
            for r in resources
            if full or {i.slug for i in r.innovations.all()} & slugs
        ],
    }


def _organisation(org: Organisation) -> dict[str, Any]:
    return {
        "name": org.name,
        "slug": org.slug,
        "kind": org.kind,
        "region": org.region.slug if org.region else None,
        "website": _text(org.website),
        "source": _text(org.source),
    }


def _innovation(inn: Innovation) -> dict[str, Any]:
    return {
        "title": inn.title,
        "slug": inn.slug,
        "summary": inn.summary,
        "problem": _text(inn.problem),
        "how_it_works": _text(inn.how_it_works),
        "core": _text(inn.core),
        "adaptable": _text(inn.adaptable),
        "outcomes": _text(inn.outcomes),
        "evidence_level": inn.evidence_level,
        "evidence_summary": _text(inn.evidence_summary),
        "stage": _text(inn.stage),
        "kind": _text(inn.kind),
        "scaling_ways": list(inn.scaling_ways),
        "scaling_routes": sorted(r.name for r in inn.scaling_routes.all()),
        "sectors": sorted(s.name for s in inn.sectors.all()),
        "beneficiaries": sorted(b.name for b in inn.beneficiaries.all()),
        "regions": [r.slug for r in sorted(inn.regions.all(), key=lambda r: r.position)],
        "lead_organisation": inn.lead_organisation.name if inn.lead_organisation else None,
        "partners": sorted(p.name for p in inn.partners.all()),
        "year_started": inn.year_started,
        "cost_band": _text(inn.cost_band),
        "cost_notes": _text(inn.cost_notes),
        "funding_model": _text(inn.funding_model),
        "website": _text(inn.website),
        "contact_name": _text(inn.contact_name),
        "contact_email": _text(inn.contact_email),
        "status": inn.status,
        "source": _text(inn.source),
        "last_reviewed_on": inn.last_reviewed_on.isoformat() if inn.last_reviewed_on else None,
        "published_at": inn.published_at.isoformat() if inn.published_at else None,
        "reach": [
            {
                "measure": f.measure,
                "value": f.value,
                "date": f.date.isoformat(),
                "source": _text(f.source),
            }
            for f in inn.reach.all()
        ],
    }


def _adoption(adoption: Adoption, *, with_contacts: bool = True) -> dict[str, Any]:
    def day(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "innovation": adoption.innovation.slug,
        "organisation": adoption.organisation.name,
        "region": adoption.region.slug if adoption.region else None,
        "local_authority": adoption.local_authority.code if adoption.local_authority else None,
        "area": _text(adoption.area),
        "status": adoption.status,
        "adapted": adoption.adapted,
        "adaptations": _text(adoption.adaptations),
        "started_on": day(adoption.started_on),
        "ended_on": day(adoption.ended_on),
        "people_reached": adoption.people_reached,
        "outcomes": _text(adoption.outcomes),
        "lessons": _text(adoption.lessons),
        "will_talk": adoption.will_talk,
        **(
            {
                "contact_name": _text(adoption.contact_name),
                "contact_email": _text(adoption.contact_email),
            }
            if with_contacts
            else {}
        ),
        "verified": adoption.verified,
        "provenance": adoption.provenance,
        "source": _text(adoption.source),
        "history": [
            {"status": h.status, "changed_on": h.changed_on.isoformat(), "note": _text(h.note)}
            for h in adoption.history.all()
        ],
    }


def _resource(resource: Resource, slugs: set[str] | None = None) -> dict[str, Any]:
    """A resource; in a partial export (slugs given), naming only the innovations exported."""
    return {
        "title": resource.title,
        "slug": resource.slug,
        "kind": resource.kind,
        "publisher": _text(resource.publisher),
        "url": _text(resource.url),
        "description": _text(resource.description),
        "innovations": [
            i.slug for i in resource.innovations.all() if slugs is None or i.slug in slugs
        ],
        "source": _text(resource.source),
    }

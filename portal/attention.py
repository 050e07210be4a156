"""What needs a curator's attention today, across the apps: the admin home's first table
(templates/admin/index.html), each line a count and a link to the admin list that shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from adopters.choices import Provenance
from adopters.models import Adoption
from catalogue.models import Innovation
from kernel import outbox
from kernel.models import OutgoingEmail


@dataclass(frozen=True)
class Attention:
    what: str
    count: int
    url: str


def needs_attention() -> list[Attention]:
    """Each kind of work, with how much of it there is (one count each), zeros included: a
    curator sees at a glance that a kind is done."""
    unverified = [Provenance.SELF_REPORTED, Provenance.REPORTED_BY_INNOVATOR]
    innovations = reverse("admin:catalogue_innovation_changelist")
    adoptions = reverse("admin:adopters_adoption_changelist")
    emails = reverse("admin:kernel_outgoingemail_changelist")
    return [
        Attention(
            # Never reviewed, or not for twelve months (catalogue/freshness.py), oldest first.
            "Published entries due a review",
            Innovation.objects.published().review_due().count(),
            f"{innovations}?status__exact=published&review_due=yes",
        ),
        Attention(
            "Adoptions not yet verified by a curator",
            Adoption.objects.filter(provenance__in=unverified).count(),
            f"{adoptions}?provenance__in={','.join(unverified)}",
        ),
        Attention(
            "Emails not sent after every try",
            OutgoingEmail.objects.filter(
                sent_at__isnull=True, attempts__gte=outbox.MAX_ATTEMPTS
            ).count(),
            f"{emails}?delivery=given-up",
        ),
    ]

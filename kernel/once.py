"""Single-use tokens: a token that is spent is refused the next time.

A signed token proves that the site made it, not that it has not been used: the registration
form's start note (adopters.services) could be sent again and again for as long as it was
valid. `spend()` records it, in PostgreSQL so that every server process knows, until it would
be refused anyway; only a digest of the purpose and the token is kept.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils import timezone

from kernel.models import SpentToken


def _digest(token: str, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}\0{token}".encode()).hexdigest()


def spent(token: str, *, purpose: str) -> bool:
    """Whether `token` has been used for `purpose` already (and is still remembered), without
    spending it: for a page that shows what a link would do before the person acts."""
    return SpentToken.objects.filter(
        digest=_digest(token, purpose), expires_at__gte=timezone.now()
    ).exists()


def spend(token: str, *, purpose: str, valid_for: timedelta) -> bool:
    """Record that `token` has been used for `purpose`; False when it had been already.

    `valid_for` is how long the token could still be accepted: the record is kept that long.
    Two requests spending the same token at once: one of them spends it (the primary key).
    """
    now = timezone.now()
    SpentToken.objects.filter(expires_at__lt=now).delete()  # forgotten once they expire
    _, created = SpentToken.objects.get_or_create(
        digest=_digest(token, purpose), defaults={"expires_at": now + valid_for}
    )
    return created

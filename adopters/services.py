"""The adopters' rules: recording adoptions and every change of their status."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from adopters.models import Adoption, AdoptionStatusChange


def note_status(
    adoption: Adoption, *, by: AbstractBaseUser | None = None, note: str = "", on=None
) -> AdoptionStatusChange:
    """Add the adoption's current status to its dated history."""
    return AdoptionStatusChange.objects.create(
        adoption=adoption,
        status=adoption.status,
        changed_on=on or timezone.localdate(),
        note=note,
        changed_by=by if by is not None and by.is_authenticated else None,
    )


@transaction.atomic
def change_status(
    adoption: Adoption, status: str, *, by: AbstractBaseUser | None = None, note: str = "", on=None
) -> Adoption:
    """Move an adoption to a new status and record the step in its history."""
    adoption = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if adoption.status != status:
        adoption.status = status
        adoption.save(update_fields=["status", "updated_at"])
        note_status(adoption, by=by, note=note, on=on)
    return adoption


@transaction.atomic
def verify_adoption(adoption: Adoption, *, by: AbstractBaseUser) -> Adoption:
    """A curator confirms that an adoption really happened as recorded."""
    adoption.verified = True
    adoption.verified_by = by
    adoption.verified_at = timezone.now()
    adoption.save(update_fields=["verified", "verified_by", "verified_at", "updated_at"])
    return adoption

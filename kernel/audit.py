"""The audit history: who changed an innovation, an adoption or a network membership, what,
and when (django-simple-history; docs/operations.md, "Audit history").

Every save of an audited model writes a copy of the row to its historical table, reached
through the model's `audit` attribute (`Adoption.history` already names an adoption's dated
status steps). HistoryRequestMiddleware names the signed-in person for pages, the admin and the
API; saves outside a request (commands, the importer run from the shell) have nobody.
Bulk writes (`QuerySet.update`, `bulk_create`) write no history at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models

# The historical tables hold the reason in a varchar(100).
REASON_MAX_LENGTH = 100

# The attributes django-simple-history reads from an instance while it saves.
_REASON = "_change_reason"
_USER = "_history_user"


@contextmanager
def audited(instance: models.Model, *, reason: str = "", by: Any = None) -> Iterator[None]:
    """Label the history rows that saves of `instance` inside the block write: why, and who.

    `by` only matters outside a request (a command acting for someone); within one the
    middleware already knows. The labels are taken off again afterwards, so that a later,
    unrelated save of the same object is not credited with this reason.
    """
    labels: dict[str, Any] = {}
    if reason:
        labels[_REASON] = reason[:REASON_MAX_LENGTH]
    if by is not None and getattr(by, "is_authenticated", False):
        labels[_USER] = by
    before = {name: instance.__dict__[name] for name in labels if name in instance.__dict__}
    instance.__dict__.update(labels)
    try:
        yield
    finally:
        for name in labels:
            if name in before:
                instance.__dict__[name] = before[name]
            else:
                instance.__dict__.pop(name, None)

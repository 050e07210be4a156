"""What happens to an account when something else changes it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from adopters import services


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="adopters.revoke_on_password")
def password_change_revokes_api_tokens(
    sender: Any, instance: Any, created: bool, **kwargs: Any
) -> None:
    """A new password, however it was set (a reset, a curator in the admin, the shell),
    revokes the account's API tokens. `set_password()` keeps the new password in `_password`
    until `save()` has passed it to the validators' `password_changed` hooks; a hash upgraded
    at sign-in (`check_password`) and an unusable password set at erasure do not, and keep
    the tokens (erasure deletes them itself)."""
    if not created and getattr(instance, "_password", None) is not None:
        services.revoke_api_tokens(instance)

"""Fields and helpers every app's API serializers share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail


class BlankIsNull:
    """A read-only field whose blank value is shown as null, never "" (which is not a URL, an
    address or a vocabulary value, so the schema could not promise one)."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(*args, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return value or None


class LinkField(BlankIsNull, serializers.URLField):
    """A web address, or null."""


class EmailOrNullField(BlankIsNull, serializers.EmailField):
    """An email address, or null."""


class ChoiceOrNullField(BlankIsNull, serializers.ChoiceField):
    """A fixed-vocabulary value, or null."""


@extend_schema_field(OpenApiTypes.STR)
class ApiUrl(serializers.Field):
    """The object's own address in the API (a path, as the search contract's `api_url`)."""

    def __init__(self, view_name: str, lookup: str = "slug", **kwargs: Any):
        self.view_name, self.lookup = view_name, lookup
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance: Any) -> str:
        return reverse(self.view_name, args=[getattr(instance, self.lookup)])


@contextmanager
def refusals_as_400() -> Iterator[None]:
    """Turn what a service refuses (Django's ValidationError, with its field errors) and what
    only the database checks (a constraint, a value too long) into a 400 rather than a 500;
    the block's writes are rolled back."""
    try:
        with transaction.atomic():
            yield
    except DjangoValidationError as error:
        raise serializers.ValidationError(get_error_detail(error)) from error
    except (IntegrityError, DataError) as error:
        raise serializers.ValidationError(
            {"non_field_errors": [f"Not saved: {str(error).splitlines()[0]}"]}
        ) from error

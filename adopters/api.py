"""Adoptions and registrations of interest in the API.

Anyone, signed in or not, registers interest in a published innovation: the same service and
hourly limits as the site's form; its hidden honeypot field, filled in, is a 400 here, and its
minimum fill time does not apply (no form is shown to time). Anyone signed in records an
adoption of a published innovation, naming its organisation by slug or, as the form does, by
name (a new name adds the organisation); whoever recorded it and the curators edit it.
Status changes go through `adopters.services.change_status`, so each is in the dated history;
only curators mark an adoption verified. Contact details of adopters are written but never
shown.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, permissions, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adopters import services
from adopters.choices import AdoptionStatus, Interest, Provenance
from adopters.forms import DETAILS
from adopters.models import RECORDED, Adoption, AdoptionStatusChange, RegistrationOfInterest
from adopters.views import sender_key
from catalogue import services as catalogue_services
from catalogue.api.filters import RegionFilter
from catalogue.api.serializers import (
    InnovationSummarySerializer,
    LocalAuthorityReference,
    LocalAuthoritySummarySerializer,
    OrganisationSummarySerializer,
    SlugReference,
)
from catalogue.choices import OrganisationKind
from catalogue.filtersets import ValueListFilter
from catalogue.models import Innovation, Organisation, Region
from kernel.api import JSONParser
from kernel.api_fields import ApiUrl, refusals_as_400
from kernel.text import single_line


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdoptionStatusChange
        fields = ["status", "changed_on", "note"]


class AdoptionSerializer(serializers.ModelSerializer):
    innovation = InnovationSummarySerializer(read_only=True)
    organisation = OrganisationSummarySerializer(read_only=True)
    region: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    local_authority = LocalAuthoritySummarySerializer(read_only=True, allow_null=True)
    history = StatusChangeSerializer(many=True, read_only=True)
    api_url = ApiUrl("api:adoption-detail", lookup="pk")

    class Meta:
        model = Adoption
        fields = ["id", *RECORDED, "verified", "provenance", "history", "api_url"]


class AdoptionFilterSet(django_filters.FilterSet):
    innovation = ValueListFilter(field_name="innovation__slug", lookup_expr="in")
    organisation = ValueListFilter(field_name="organisation__slug", lookup_expr="in")
    region = RegionFilter()
    status = django_filters.MultipleChoiceFilter(choices=AdoptionStatus.choices)
    provenance = django_filters.MultipleChoiceFilter(choices=Provenance.choices)

    class Meta:
        model = Adoption
        fields: list[str] = []


class AdoptionWriteSerializer(serializers.ModelSerializer):
    """What adopters and curators send to record or edit an adoption.

    The organisation is given by slug (`organisation`) or, as on the site's form, by name
    (`organisation_name`): a name in the catalogue, in any case, is that organisation, and a
    new name adds one of `organisation_kind`. Recording one (and replacing one with PUT) takes
    exactly one of the two; PATCH takes at most one.
    """

    innovation = SlugReference(
        queryset=Innovation.objects.published(), help_text="Slug of a published innovation."
    )
    organisation = SlugReference(
        queryset=Organisation.objects.all(),
        required=False,
        style={"base_template": "input.html"},
        help_text="Slug of an organisation in the catalogue; or name it with organisation_name.",
    )
    organisation_name = serializers.CharField(
        write_only=True,
        required=False,
        max_length=200,
        validators=[single_line],
        help_text="The organisation's name, instead of organisation: a name in the catalogue "
        "(in any case) is that organisation; a new name adds it, of organisation_kind.",
    )
    organisation_kind = serializers.ChoiceField(
        choices=OrganisationKind.choices,
        write_only=True,
        required=False,
        help_text="With organisation_name: the kind of an organisation not in the catalogue yet.",
    )
    region = SlugReference(
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text="Region slug; with a local_authority, that authority's region instead.",
    )
    local_authority = LocalAuthorityReference(required=False, allow_null=True)
    people_reached = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, required=False, allow_null=True
    )
    note = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Why the status changed (kept in the history).",
    )
    provenance = serializers.ChoiceField(
        choices=Provenance.choices,
        required=False,
        help_text="Curators only: how we know of it (verified verifies it). Otherwise it "
        "follows who recorded or last changed it.",
    )

    class Meta:
        model = Adoption
        fields = [
            *RECORDED,
            "organisation_name",
            "organisation_kind",
            "contact_name",
            "contact_email",
            "source",
            "verified",
            "provenance",
            "note",
        ]
        extra_kwargs = {
            "contact_name": {"write_only": True},
            "contact_email": {"write_only": True},
        }
        validators: list = []  # the unique constraint is checked in validate(), with a message

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        started = data.get("started_on", getattr(self.instance, "started_on", None))
        ended = data.get("ended_on", getattr(self.instance, "ended_on", None))
        if started and ended and ended < started:
            raise serializers.ValidationError({"ended_on": ["Ends before it started."]})
        self._name_organisation(data)
        if "organisation_name" in data:
            return data  # a new organisation: no adoption of its can clash
        key = {
            name: data.get(name, getattr(self.instance, name, None))
            for name in ("innovation", "organisation", "area")
        }
        key["area"] = key["area"] or ""
        clash = Adoption.objects.filter(
            innovation=key["innovation"],
            organisation=key["organisation"],
            area__iexact=key["area"],
        )
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                {"area": ["This organisation's adoption of it in this area is already recorded."]}
            )
        return data

    def _name_organisation(self, data: dict[str, Any]) -> None:
        """Check that the organisation is given one way, and find the one a name names (left
        out of `data` when the name is new: it is added with the adoption)."""
        named = "organisation_name" in data
        if named and "organisation" in data:
            message = "Give organisation (a slug) or organisation_name, not both."
            raise serializers.ValidationError(
                {"organisation": [message], "organisation_name": [message]}
            )
        if not named and "organisation" not in data and not self.partial:
            message = "Give the organisation: its slug as organisation, or organisation_name."
            raise serializers.ValidationError(
                {"organisation": [message], "organisation_name": [message]}
            )
        if "organisation_kind" in data and not named:
            raise serializers.ValidationError(
                {"organisation_kind": ["Only with organisation_name, for a new organisation."]}
            )
        if not named:
            return
        organisation = catalogue_services.organisation_named(data["organisation_name"])
        if organisation is not None:
            data["organisation"] = organisation
            del data["organisation_name"]
            data.pop("organisation_kind", None)
        elif not data.get("organisation_kind"):
            message = "Choose the kind of organisation: it is not in the catalogue yet."
            raise serializers.ValidationError({"organisation_kind": [message]})

    def create(self, data: dict[str, Any]) -> Adoption:
        note, verified, named = self._extras(data)
        provenance = data.pop("provenance", None)
        with refusals_as_400():
            return services.record_adoption(
                Adoption(**data),
                by=self.context["request"].user,
                note=note,
                organisation=named,
                verified=verified,
                provenance=provenance,
            )

    def update(self, adoption: Adoption, data: dict[str, Any]) -> Adoption:
        note, verified, named = self._extras(data)
        provenance = data.pop("provenance", None)
        status = data.pop("status", adoption.status)
        with refusals_as_400():
            return services.edit_adoption(
                adoption,
                data,
                status=status,
                by=self.context["request"].user,
                note=note,
                organisation=named,
                verified=verified,
                provenance=provenance,
            )

    @staticmethod
    def _extras(
        data: dict[str, Any],
    ) -> tuple[str, bool | None, catalogue_services.NamedOrganisation | None]:
        """Take out of `data` what is not a column of the adoption: the note for its history,
        whether it is verified, and an organisation named but not in the catalogue yet."""
        named = None
        if "organisation_name" in data:
            named = catalogue_services.NamedOrganisation(
                data.pop("organisation_name"), kind=data.pop("organisation_kind")
            )
        return data.pop("note", ""), data.pop("verified", None), named

    def to_representation(self, instance: Adoption) -> dict[str, Any]:
        fresh = AdoptionViewSet.base_queryset().get(pk=instance.pk)
        return AdoptionSerializer(fresh, context=self.context).data


class CanEditAdoption(permissions.BasePermission):
    """Whoever recorded an adoption, and the curators, may edit it."""

    def has_object_permission(self, request: Request, view: APIView, adoption: Adoption) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return services.can_edit_adoption(adoption, request.user)


@extend_schema_view(
    create=extend_schema(request=AdoptionWriteSerializer, responses={201: AdoptionSerializer}),
    update=extend_schema(request=AdoptionWriteSerializer, responses={200: AdoptionSerializer}),
    partial_update=extend_schema(
        request=AdoptionWriteSerializer, responses={200: AdoptionSerializer}
    ),
)
class AdoptionViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Adoptions of published innovations, filterable by innovation, organisation, region and
    status (each repeatable); record one (signed in), edit one you recorded."""

    filterset_class = AdoptionFilterSet
    lookup_value_regex = r"[0-9]{1,18}"
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, CanEditAdoption]

    def get_serializer_class(self) -> type[serializers.ModelSerializer]:
        if self.request.method in permissions.SAFE_METHODS:
            return AdoptionSerializer
        return AdoptionWriteSerializer

    def get_queryset(self) -> QuerySet[Adoption]:
        return self.base_queryset()

    @staticmethod
    def base_queryset() -> QuerySet[Adoption]:
        return (
            Adoption.objects.public()
            .select_related("innovation", "organisation", "region", "local_authority")
            .prefetch_related(
                Prefetch("history", AdoptionStatusChange.objects.order_by("changed_on", "id"))
            )
            .order_by("innovation__title", "organisation__name", "id")
        )


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration of interest: what anyone sends, and the acknowledgement they get back."""

    innovation: serializers.SlugRelatedField[Innovation] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    region = SlugReference(
        queryset=Region.objects.all(),
        required=False,
        allow_null=True,
        help_text="Slug of the region where the person works.",
    )
    interests = serializers.ListField(
        child=serializers.ChoiceField(choices=Interest.choices),
        allow_empty=False,
        max_length=len(Interest),
        help_text="What the person would like to do (at least one).",
    )
    consent = serializers.BooleanField(
        write_only=True,
        help_text="Must be true: the person agrees to the wording returned as consent_text.",
    )
    website = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Leave this out. The site's form hides it from people; anything in it is "
        "taken for a bot.",
    )

    class Meta:
        model = RegistrationOfInterest
        fields = [
            "innovation",
            *DETAILS,
            "consent",
            "consent_text",
            "status",
            "created_at",
            services.HONEYPOT_FIELD,
        ]
        read_only_fields = ["consent_text", "status", "created_at"]

    def validate_consent(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError("The person must agree, or we cannot keep this.")
        return value

    def validate_website(self, value: str) -> str:
        if value:
            raise serializers.ValidationError("Leave this field out.")
        return value

    def validate_interests(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


# Why the anonymous registration takes JSON only (a 415 says so to whoever sends a form).
JSON_ONLY = "Send the registration as JSON, with the header Content-Type: application/json."


@extend_schema_view(
    post=extend_schema(
        summary="Register interest in a published innovation (no sign-in needed)",
        responses={201: RegistrationSerializer},
    )
)
class RegistrationCreateView(generics.CreateAPIView):
    """Register interest in a published innovation, as the site's form does.

    The registration is kept at once and the person is emailed a link to confirm it; the
    innovation's team hears of it only after that. More than the hourly limit from one address,
    or for one mailbox, is refused with 429 and Retry-After.

    JSON only: a form-encoded, multipart or plain-text body is a 415. Those are the bodies any
    web page can make its visitors' browsers send to another site without asking it; a JSON
    body needs a CORS preflight, which this API never grants to a write (kernel.api), so another
    site cannot register its visitors, nor use up the limits of their network addresses.
    """

    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]
    serializer_class = RegistrationSerializer
    queryset = Innovation.objects.published()
    lookup_field = "slug"
    lookup_url_kwarg = "slug"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        innovation = self.get_object()
        try:
            data = request.data
        except exceptions.UnsupportedMediaType as exc:
            raise exceptions.UnsupportedMediaType(request.content_type, detail=JSON_ONLY) from exc
        serializer = self.get_serializer(data=data)
        serializer.is_valid(raise_exception=True)
        sent = serializer.validated_data
        details = {name: sent[name] for name in DETAILS if name in sent}
        try:
            registration = services.register_interest(
                innovation,
                details=details,
                key=sender_key(request),
                absolute=request.build_absolute_uri,
            )
        except services.RateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after) from exc
        return Response(self.get_serializer(registration).data, status=status.HTTP_201_CREATED)

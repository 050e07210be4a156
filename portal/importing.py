"""Importing the catalogue file of shared/CONTRACT.md (documented in docs/import-format.md).

The import is all or nothing. First every record is validated (field by field with DRF
serializers, then references across records), and every problem is collected with where it is,
e.g. ``innovations[3].stage: "scaling" is not one of …``. Only a clean document is written, in
one transaction, matching innovations by slug, organisations by name, adoptions by innovation,
organisation and area, and resources by slug; unchanged rows are not touched, so importing the
same file twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.apps import apps
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Model
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from adopters import services as adopter_services
from adopters.choices import AdoptionStatus, Provenance
from adopters.models import Adoption, AdoptionStatusChange
from catalogue import services as catalogue_services
from catalogue.choices import (
    CostBand,
    InnovationKind,
    ModerationStatus,
    OrganisationKind,
    ResourceKind,
    ScalingWay,
    Stage,
)
from catalogue.models import (
    INNOVATION_EDITABLE,
    INNOVATION_RELATIONS,
    LOCAL_AUTHORITY_CODE,
    BeneficiaryGroup,
    Innovation,
    LocalAuthority,
    Organisation,
    ReachFigure,
    Region,
    Resource,
    ScalingRoute,
    Sector,
)
from kernel.audit import audited
from kernel.text import single_line, unique_slug

SECTIONS = ("organisations", "innovations", "adoptions", "resources")
# What the audit history says of a version an import wrote (by the curator who uploaded the file
# in the admin; by nobody from the command line).
IMPORT_REASON = "Imported from a catalogue file"


class ImportFailed(Exception):
    """The document has problems; nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) found; nothing was imported")
        self.problems = problems


@dataclass
class ImportReport:
    """What an import did, per section: created, updated, unchanged."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            section: {"created": 0, "updated": 0, "unchanged": 0} for section in SECTIONS
        }
    )

    def count(self, section: str, outcome: str) -> None:
        self.counts[section][outcome] += 1

    def lines(self) -> list[str]:
        return [
            f"{section}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for section, c in self.counts.items()
        ]


# --- Field validation -------------------------------------------------------------------------


def _choice(choices: Iterable[str], **kwargs: Any) -> serializers.ChoiceField:
    values = list(choices)
    listed = ", ".join(f'"{v}"' for v in values)
    return serializers.ChoiceField(
        choices=values,
        error_messages={"invalid_choice": f'"{{input}}" is not one of {listed}.'},
        **kwargs,
    )


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, allow_null=True, **kwargs)


# One-line values (titles, names, addresses, sources) refuse line breaks and control
# characters, as the catalogue's fields do (kernel.text.single_line); a problem is reported
# at its place like any other.
ONE_LINE = [single_line]


def _line(**kwargs: Any) -> serializers.CharField:
    return _text(validators=ONE_LINE, **kwargs)


def _names(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=100, validators=ONE_LINE),
        required=False,
        allow_null=True,
        **kwargs,
    )


class StrictSerializer(serializers.Serializer):
    """Reports keys it does not know, so that a typo ("sumary") is never silently dropped.

    (Records declare a field named `source`: DRF's metaclass takes declared fields out of the
    class, so it never meets Field.source, but the stubs see one, hence the ignores below.)
    """

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields)) if isinstance(data, dict) else []
        errors: dict[str, Any] = {key: ["Unknown field."] for key in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                errors = {**exc.detail, **errors}
            else:
                raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


class OrganisationRecord(StrictSerializer):
    name = serializers.CharField(max_length=200, validators=ONE_LINE)
    slug = serializers.SlugField(max_length=220, required=False, allow_null=True)
    kind = _choice(OrganisationKind.values, required=False, allow_null=True)
    region = serializers.SlugField(required=False, allow_null=True)
    website = serializers.URLField(
        max_length=200, required=False, allow_blank=True, allow_null=True, validators=ONE_LINE
    )
    source = _line(max_length=300)  # type: ignore[assignment]  # a field, not Field.source


class ReachRecord(StrictSerializer):
    measure = serializers.CharField(max_length=100, validators=ONE_LINE)
    value = serializers.IntegerField(min_value=0, max_value=2**63 - 1)
    date = serializers.DateField(input_formats=["iso-8601"])
    source = _line(max_length=500)  # type: ignore[assignment]  # a field, not Field.source


class InnovationRecord(StrictSerializer):
    title = serializers.CharField(max_length=200, validators=ONE_LINE)
    slug = serializers.SlugField(max_length=220, required=False, allow_null=True)
    summary = serializers.CharField()
    problem = _text()
    how_it_works = _text()
    core = _text()
    adaptable = _text()
    outcomes = _text()
    evidence_level = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True
    )
    evidence_summary = _text()
    stage = _choice(Stage.values, required=False, allow_null=True)
    kind = _choice(InnovationKind.values, required=False, allow_null=True)
    scaling_ways = serializers.ListField(
        child=_choice(ScalingWay.values), required=False, allow_null=True
    )
    scaling_routes = _names()
    sectors = _names()
    beneficiaries = _names()
    regions = serializers.ListField(child=serializers.SlugField(), required=False, allow_null=True)
    lead_organisation = serializers.CharField(
        max_length=200, required=False, allow_null=True, validators=ONE_LINE
    )
    partners = _names()
    year_started = serializers.IntegerField(
        min_value=1800, max_value=2100, required=False, allow_null=True
    )
    cost_band = _choice(CostBand.values, required=False, allow_null=True)
    cost_notes = _text()
    funding_model = _text()
    website = serializers.URLField(
        max_length=200, required=False, allow_blank=True, allow_null=True, validators=ONE_LINE
    )
    contact_name = _line(max_length=200)
    contact_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, allow_null=True, validators=ONE_LINE
    )
    status = _choice(ModerationStatus.values, required=False, allow_null=True)
    source = _line(max_length=500)  # type: ignore[assignment]  # a field, not Field.source
    last_reviewed_on = serializers.DateField(
        input_formats=["iso-8601"], required=False, allow_null=True
    )
    published_at = serializers.DateTimeField(required=False, allow_null=True)
    reach = ReachRecord(many=True, required=False, allow_null=True)


class StatusChangeRecord(StrictSerializer):
    status = _choice(AdoptionStatus.values)
    changed_on = serializers.DateField(input_formats=["iso-8601"])
    note = _text()


class AdoptionRecord(StrictSerializer):
    innovation = serializers.SlugField(max_length=220)
    organisation = serializers.CharField(max_length=200, validators=ONE_LINE)
    region = serializers.SlugField(required=False, allow_null=True)
    local_authority = serializers.RegexField(
        LOCAL_AUTHORITY_CODE,
        required=False,
        allow_null=True,
        error_messages={
            "invalid": "an ONS code of a local authority district is a letter (E, N, S or W) "
            "and eight digits, like E06000014"
        },
    )
    area = _line(max_length=200)
    status = _choice(AdoptionStatus.values, required=False, allow_null=True)
    adapted = serializers.BooleanField(required=False, allow_null=True)
    adaptations = _text()
    started_on = serializers.DateField(input_formats=["iso-8601"], required=False, allow_null=True)
    ended_on = serializers.DateField(input_formats=["iso-8601"], required=False, allow_null=True)
    people_reached = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, allow_null=True
    )
    outcomes = _text()
    lessons = _text()
    will_talk = serializers.BooleanField(required=False, allow_null=True)
    contact_name = _line(max_length=200)
    contact_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, allow_null=True, validators=ONE_LINE
    )
    verified = serializers.BooleanField(required=False, allow_null=True)
    provenance = _choice(Provenance.values, required=False, allow_null=True)
    source = _line(max_length=500)  # type: ignore[assignment]  # a field, not Field.source
    history = StatusChangeRecord(many=True, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        started, ended = attrs.get("started_on"), attrs.get("ended_on")
        if started and ended and ended < started:
            raise serializers.ValidationError({"ended_on": ["Cannot be before started_on."]})
        provenance, verified = attrs.get("provenance"), attrs.get("verified")
        if provenance and verified is not None and verified != (provenance == Provenance.VERIFIED):
            said = "true" if verified else "false"
            raise serializers.ValidationError(
                {"provenance": [f'"{provenance}" disagrees with verified: {said}.']}
            )
        return attrs


class ResourceRecord(StrictSerializer):
    title = serializers.CharField(max_length=300, validators=ONE_LINE)
    slug = serializers.SlugField(max_length=320, required=False, allow_null=True)
    kind = _choice(ResourceKind.values, required=False, allow_null=True)
    publisher = _line(max_length=200)
    url = serializers.URLField(
        max_length=200, required=False, allow_blank=True, allow_null=True, validators=ONE_LINE
    )
    description = _text()
    innovations = serializers.ListField(
        child=serializers.SlugField(max_length=220), required=False, allow_null=True
    )
    source = _line(max_length=500)  # type: ignore[assignment]  # a field, not Field.source


RECORDS: dict[str, type[serializers.Serializer]] = {
    "organisations": OrganisationRecord,
    "innovations": InnovationRecord,
    "adoptions": AdoptionRecord,
    "resources": ResourceRecord,
}


def _flatten(detail: Any, path: str) -> list[str]:
    """Turn DRF's nested error detail into `path.to[3].field: message` lines."""
    if isinstance(detail, dict):
        lines = []
        for key, value in detail.items():
            if key == "non_field_errors":
                lines.extend(_flatten(value, path))
            elif isinstance(key, int):
                lines.extend(_flatten(value, f"{path}[{key}]"))
            else:
                lines.extend(_flatten(value, f"{path}.{key}" if path else str(key)))
        return lines
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [f"{path}: {item}" for item in detail]
        lines = []
        for index, item in enumerate(detail):
            if item:
                lines.extend(_flatten(item, f"{path}[{index}]"))
        return lines
    return [f"{path}: {detail}"]


# --- Whole-document validation ----------------------------------------------------------------


@dataclass
class Document:
    """A validated import document, ready to write."""

    organisations: list[dict[str, Any]]
    innovations: list[dict[str, Any]]
    adoptions: list[dict[str, Any]]
    resources: list[dict[str, Any]]


def parse_json(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [f"line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg})"]
        ) from None
    except UnicodeDecodeError as exc:
        raise ImportFailed([f"the file is not UTF-8 text ({exc.reason})"]) from None
    except (ValueError, RecursionError) as exc:  # absurdly long numbers, absurdly deep nesting
        raise ImportFailed([f"the file cannot be read as JSON ({exc})"[:300]]) from None


def validate_document(data: Any) -> Document:
    """Validate everything; raise ImportFailed listing every problem with its location."""
    if not isinstance(data, dict):
        raise ImportFailed(["the document must be a JSON object with lists of records"])
    problems: list[str] = [f"{key}: unknown section" for key in sorted(set(data) - set(SECTIONS))]
    cleaned: dict[str, list[dict[str, Any]]] = {}
    for section, record in RECORDS.items():
        items = data.get(section, [])
        if items is None:
            items = []
        if not isinstance(items, list):
            problems.append(f"{section}: must be a list")
            cleaned[section] = []
            continue
        cleaned[section] = []
        for index, item in enumerate(items):
            location = f"{section}[{index}]"
            if not isinstance(item, dict):
                problems.append(f"{location}: must be an object")
                continue
            serializer = record(data=item)
            if serializer.is_valid():
                cleaned[section].append({**serializer.validated_data, "_at": location})
            else:
                problems.extend(_flatten(serializer.errors, location))
    document = Document(**cleaned)
    problems.extend(_check_references(document))
    if problems:
        raise ImportFailed(problems)
    return document


def _check_references(doc: Document) -> list[str]:
    """Duplicates within the file, and names and slugs that point nowhere, section by section
    (each section may refer to those checked before it, and to what the catalogue holds)."""
    known = _Known(
        regions=set(Region.objects.values_list("slug", flat=True)),
        local_authorities=set(LocalAuthority.objects.values_list("code", flat=True)),
    )
    return [
        *_check_organisations(doc.organisations, known),
        *_check_innovations(doc.innovations, known),
        *_check_adoptions(doc.adoptions, known),
        *_check_resources(doc.resources, known),
    ]


@dataclass
class _Known:
    """What records may refer to: the regions, and the organisations (by lower-cased name) and
    innovations (by slug) of the file and the catalogue, filled in as their sections are
    checked."""

    regions: set[str]
    local_authorities: set[str]
    organisations: set[str] = field(default_factory=set)
    innovations: set[str] = field(default_factory=set)

    def region_problem(self, slug: str | None, location: str) -> list[str]:
        if slug and slug not in self.regions:
            return [f'{location}: "{slug}" is not a known region']
        return []

    def organisation_problem(self, name: str | None, location: str) -> list[str]:
        if name and name.strip().lower() not in self.organisations:
            return [
                f'{location}: organisation "{name}" is neither in "organisations" '
                "nor already in the catalogue"
            ]
        return []


def _check_organisations(records: list[dict[str, Any]], known: _Known) -> list[str]:
    """Each name once in the file (in any case), in a known region."""
    problems: list[str] = []
    in_file: dict[str, str] = {}
    for org in records:
        key = org["name"].strip().lower()
        if key in in_file:
            problems.append(f'{org["_at"]}.name: "{org["name"]}" is also {in_file[key]}')
        in_file.setdefault(key, org["_at"])
        problems += known.region_problem(org.get("region"), f"{org['_at']}.region")
    known.organisations = set(in_file) | set(
        Organisation.objects.annotate(n=Lower("name")).values_list("n", flat=True)
    )
    return problems


def _check_innovations(records: list[dict[str, Any]], known: _Known) -> list[str]:
    """Each slug (given, or made from the title, and kept on the record) once in the file;
    organisations and regions known; curated values with letters or digits; one reach figure
    per measure and date."""
    problems: list[str] = []
    in_file: dict[str, str] = {}
    for inn in records:
        at = inn["_at"]
        slug = inn.get("slug") or slugify(inn["title"])[:220].strip("-")
        if not slug:
            problems.append(f"{at}.title: cannot make a slug from this title; give a slug")
        elif slug in in_file:
            problems.append(f'{at}.slug: "{slug}" is also {in_file[slug]}')
        in_file.setdefault(slug, at)
        inn["slug"] = slug
        problems += _check_innovation(inn, known)
    known.innovations = set(in_file) | set(Innovation.objects.values_list("slug", flat=True))
    return problems


def _check_innovation(inn: dict[str, Any], known: _Known) -> list[str]:
    at = inn["_at"]
    problems = known.organisation_problem(inn.get("lead_organisation"), f"{at}.lead_organisation")
    for i, partner in enumerate(inn.get("partners") or []):
        problems += known.organisation_problem(partner, f"{at}.partners[{i}]")
    for i, region in enumerate(inn.get("regions") or []):
        problems += known.region_problem(region, f"{at}.regions[{i}]")
    for vocabulary in ("sectors", "beneficiaries", "scaling_routes"):
        for i, name in enumerate(inn.get(vocabulary) or []):
            if not slugify(name):
                problems.append(f'{at}.{vocabulary}[{i}]: "{name}" has no letters or digits')
    seen_reach: set[tuple[str, Any]] = set()
    for i, figure in enumerate(inn.get("reach") or []):
        key = (figure["measure"].strip().lower(), figure["date"])
        if key in seen_reach:
            problems.append(
                f'{at}.reach[{i}]: a second "{figure["measure"]}" figure for {figure["date"]}'
            )
        seen_reach.add(key)
    return problems


def _check_adoptions(records: list[dict[str, Any]], known: _Known) -> list[str]:
    """Innovations, organisations and regions known; one adoption per innovation, organisation
    and area (in any case) in the file."""
    problems: list[str] = []
    in_file: dict[tuple[str, str, str], str] = {}
    for adoption in records:
        at = adoption["_at"]
        if adoption["innovation"] not in known.innovations:
            problems.append(
                f'{at}.innovation: no innovation with slug "{adoption["innovation"]}" '
                "in the file or the catalogue"
            )
        problems += known.organisation_problem(adoption["organisation"], f"{at}.organisation")
        problems += known.region_problem(adoption.get("region"), f"{at}.region")
        code = adoption.get("local_authority")
        if code and code not in known.local_authorities:
            problems.append(f'{at}.local_authority: "{code}" is not a known local authority')
        key = (
            adoption["innovation"],
            adoption["organisation"].strip().lower(),
            (adoption.get("area") or "").strip().lower(),
        )
        if key in in_file:
            problems.append(f"{at}: the same innovation, organisation and area as {in_file[key]}")
        in_file.setdefault(key, at)
    return problems


def _check_resources(records: list[dict[str, Any]], known: _Known) -> list[str]:
    """Each slug (given, or made from the title, and kept on the record) once in the file;
    innovations known."""
    problems: list[str] = []
    in_file: dict[str, str] = {}
    for resource in records:
        at = resource["_at"]
        slug = resource.get("slug") or slugify(resource["title"])[:320].strip("-")
        if not slug:
            problems.append(f"{at}.title: cannot make a slug from this title; give a slug")
        elif slug in in_file:
            problems.append(f'{at}.slug: "{slug}" is also {in_file[slug]}')
        in_file.setdefault(slug, at)
        resource["slug"] = slug
        for i, inn_slug in enumerate(resource.get("innovations") or []):
            if inn_slug not in known.innovations:
                problems.append(f'{at}.innovations[{i}]: no innovation with slug "{inn_slug}"')
    return problems


# --- Writing ----------------------------------------------------------------------------------

# What the file says of an innovation beyond what its editors write (INNOVATION_EDITABLE): the
# curators' last review and the publication date. Its status is set through the moderation
# rules (catalogue.services.set_status), after everything else.
INNOVATION_CURATED = ("last_reviewed_on", "published_at")
ADOPTION_TEXT_FIELDS = (
    "adaptations",
    "outcomes",
    "lessons",
    "contact_name",
    "contact_email",
    "source",
)
ADOPTION_VALUE_FIELDS = ("started_on", "ended_on", "people_reached")


def import_catalogue(data: Any) -> ImportReport:
    """Validate and write a catalogue document, all or nothing. Raises ImportFailed."""
    document = validate_document(data)
    with transaction.atomic():
        report, problems = _write(document)
        if problems:
            transaction.set_rollback(True)
            raise ImportFailed(problems)
    return report


def _refusal(exc: IntegrityError) -> str:
    """The message of the constraint the database enforced, or the database's own words."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return constraint.get_violation_error_message()  # its message, % its name
    return str(exc).splitlines()[0]


class _Unresolved(Exception):
    """A record refers to another that failed to write (already reported at its own place)."""


# What writing a record did, as the report counts it.
Outcome = Literal["created", "updated", "unchanged"]


def _outcome(created: bool, changed: bool) -> Outcome:
    return "created" if created else "updated" if changed else "unchanged"


class _Catalogue:
    """What records are matched with and refer to while writing: the regions, vocabularies and
    organisations of the catalogue (organisations by lower-cased name), and the innovations
    written so far (by slug), each kept up to date as records are written."""

    def __init__(self) -> None:
        self.regions = {r.slug: r for r in Region.objects.all()}
        self.local_authorities = {
            la.code: la for la in LocalAuthority.objects.select_related("region")
        }
        self.orgs: dict[str, Organisation] = {o.name.lower(): o for o in Organisation.objects.all()}
        self.vocabularies: dict[type, dict[str, Any]] = {
            model: {v.slug: v for v in model.objects.all()}
            for model in (Sector, BeneficiaryGroup, ScalingRoute)
        }
        self.innovations: dict[str, Innovation] = {}

    def org(self, name: str) -> Organisation:
        try:
            return self.orgs[name.strip().lower()]
        except KeyError:
            raise _Unresolved(
                f'refers to organisation "{name}", which could not be written'
            ) from None

    def region(self, slug: str | None) -> Region | None:
        return self.regions.get(slug) if slug else None

    def vocabulary(self, model: type[Model], names: list[str]) -> list[Any]:
        """The curated values of these names, adding those the catalogue does not have yet."""
        known = self.vocabularies[model]
        found = []
        for name in names:
            slug = slugify(name)
            if slug not in known:
                known[slug] = model._default_manager.create(name=name.strip())
            found.append(known[slug])
        return found


def _write(document: Document) -> tuple[ImportReport, list[str]]:
    """Write every record, section by section (organisations first: the rest refer to them),
    each in a savepoint so that a refusal is reported where it is."""
    catalogue = _Catalogue()
    report = ImportReport()
    problems: list[str] = []
    for section, write in _SECTION_WRITERS.items():
        for record in getattr(document, section):
            try:
                with transaction.atomic():
                    report.count(section, write(record, catalogue))
            except IntegrityError as exc:  # a rule only the database knew about
                problems.append(f"{record['_at']}: {_refusal(exc)}")
            except DatabaseError as exc:  # a value the database cannot hold
                problems.append(f"{record['_at']}: {str(exc).splitlines()[0]}")
            except _Unresolved as exc:
                problems.append(f"{record['_at']}: {exc}")
            except Innovation.DoesNotExist:
                problems.append(
                    f"{record['_at']}: refers to an innovation that could not be written"
                )
    return report, problems


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    """Set the given values on obj; say whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


# -- Organisations


def _write_organisation(record: dict[str, Any], catalogue: _Catalogue) -> Outcome:
    """Matched by name in any case, or by slug when renamed (an edited export)."""
    key = record["name"].strip().lower()
    values: dict[str, Any] = {"name": record["name"].strip()}
    for name in ("kind", "website", "source"):
        if name in record:
            values[name] = record[name] or ""
    if "region" in record:
        values["region"] = catalogue.region(record["region"])
    org = catalogue.orgs.get(key)
    if org is None and record.get("slug"):
        # The same organisation under a new name (an edited export): rename it in place.
        org = Organisation.objects.filter(slug=record["slug"]).first()
        if org is not None:
            catalogue.orgs.pop(org.name.lower(), None)
            catalogue.orgs[key] = org
    if org is None:
        values.setdefault("kind", "other")
        values["kind"] = values["kind"] or "other"
        org = Organisation(**values)
        if record.get("slug"):
            org.slug = record["slug"]
        else:
            org.slug = unique_slug(Organisation, org.name, max_length=220)
        org.save()
        catalogue.orgs[key] = org
        return "created"
    if _apply(org, {k: v for k, v in values.items() if k != "kind" or v}):
        org.save()
        return "updated"
    return "unchanged"


# -- Innovations


def _write_innovation(record: dict[str, Any], catalogue: _Catalogue) -> Outcome:
    """Matched by slug. Its row is saved (labelled as imported in the audit history) when
    new or changed; then its relations and reach figures; then its status, through the
    moderation rules, so that publishing one dates it and creates its learning network as
    publishing from the admin does (catalogue.services.set_status)."""
    innovation = Innovation.objects.filter(slug=record["slug"]).first()
    created = innovation is None
    if innovation is None:
        innovation = Innovation(slug=record["slug"])
    values = _innovation_values(record, catalogue)
    if values.get("last_reviewed_on", innovation.last_reviewed_on) != innovation.last_reviewed_on:
        # A review date the file changes is the curators' own (catalogue/freshness.py).
        values["confirmed_by_owners"] = False
    changed = _apply(innovation, values)
    if created or changed:
        with audited(innovation, reason=IMPORT_REASON):
            innovation.save()
    changed |= _innovation_relations(innovation, record, catalogue, created=created)
    if "reach" in record:
        changed |= _reach(innovation, record["reach"] or [])
    status = record.get("status")
    if status and status != innovation.status:
        catalogue_services.set_status(innovation, status)
        changed = True
    catalogue.innovations[innovation.slug] = innovation
    return _outcome(created, changed)


def _innovation_values(record: dict[str, Any], catalogue: _Catalogue) -> dict[str, Any]:
    """The innovation's own columns the record gives (a field it leaves out is left as it is;
    null clears it)."""
    values: dict[str, Any] = {}
    for name in (*INNOVATION_EDITABLE, *INNOVATION_CURATED):
        if name not in record or name in INNOVATION_RELATIONS:
            continue
        value = record[name]
        if name == "title":
            value = value.strip()
        elif name == "scaling_ways":
            value = list(dict.fromkeys(value or []))
        elif name == "lead_organisation":
            value = catalogue.org(value) if value else None
        elif not getattr(Innovation._meta.get_field(name), "null", False):
            value = value or ""  # text and fixed vocabularies: blank, never null
        values[name] = value
    if values.get("published_at", False) is None:
        del values["published_at"]  # a publication date is kept, never cleared by a file
    return values


def _innovation_relations(
    innovation: Innovation, record: dict[str, Any], catalogue: _Catalogue, *, created: bool
) -> bool:
    """Set the relations the record gives (INNOVATION_RELATIONS); say whether any changed."""
    resolvers: dict[str, Callable[[list[str]], list[Any]]] = {
        "sectors": lambda names: catalogue.vocabulary(Sector, names),
        "beneficiaries": lambda names: catalogue.vocabulary(BeneficiaryGroup, names),
        "scaling_routes": lambda names: catalogue.vocabulary(ScalingRoute, names),
        "regions": lambda slugs: [catalogue.regions[slug] for slug in slugs],
        "partners": lambda names: [catalogue.org(name) for name in names],
    }
    changed = False
    for name in INNOVATION_RELATIONS:
        if name not in record:
            continue
        wanted = resolvers[name](record[name] or [])
        manager = getattr(innovation, name)
        if created or {o.pk for o in wanted} != set(manager.values_list("pk", flat=True)):
            manager.set(wanted)
            changed = True
    return changed


def _reach(innovation: Innovation, figures: list[dict[str, Any]]) -> bool:
    """Make the innovation's reach figures exactly the file's; say whether any changed."""
    existing = {(f.measure, f.date): f for f in innovation.reach.all()}
    wanted = {(data["measure"].strip(), data["date"]): data for data in figures}
    changed = False
    for key, old in existing.items():
        if key not in wanted:
            old.delete()
            changed = True
    for key, data in wanted.items():
        values = {"value": data["value"], "source": data.get("source") or ""}
        figure = existing.get(key)
        if figure is None:
            ReachFigure.objects.create(innovation=innovation, measure=key[0], date=key[1], **values)
            changed = True
        elif _apply(figure, values):
            figure.save()
            changed = True
    return changed


# -- Adoptions


def _write_adoption(record: dict[str, Any], catalogue: _Catalogue) -> Outcome:
    """Matched by innovation, organisation and area (in any case). Its status history is the
    file's when the file gives one; otherwise a new adoption, or a new status, is a dated step
    (adopters.services.note_status)."""
    innovation = catalogue.innovations.get(record["innovation"]) or Innovation.objects.get(
        slug=record["innovation"]
    )
    organisation = catalogue.org(record["organisation"])
    area = (record.get("area") or "").strip()
    adoption = Adoption.objects.filter(
        innovation=innovation, organisation=organisation, area__iexact=area
    ).first()
    created = adoption is None
    if adoption is None:
        adoption = Adoption(innovation=innovation, organisation=organisation, area=area)
    previous_status = None if created else adoption.status
    # Placed in a local authority, it is in that authority's region (as the site and API place it).
    changed = _apply(
        adoption, adopter_services.placed(_adoption_values(record, catalogue), adoption)
    )
    changed |= _apply_provenance(adoption, record, created=created)
    if created or changed:
        with audited(adoption, reason=IMPORT_REASON):
            adoption.save()

    if record.get("history") is not None:
        changed |= _history(adoption, record["history"])
    elif created or adoption.status != previous_status:
        adopter_services.note_status(
            adoption,
            note="Recorded by catalogue import.",
            on=adoption.started_on if created and adoption.started_on else None,
        )
    return _outcome(created, changed)


def _apply_provenance(adoption: Adoption, record: dict[str, Any], *, created: bool) -> bool:
    """How we know of it, from `provenance` or, in files without it, `verified`. Verified
    means checked by a curator (when, the import's time); unverified, it keeps who reported it,
    or for a new one or a verified one, is as its recorder reported it (nobody: self-reported).
    Whether anything changed."""
    provenance = record.get("provenance")
    if provenance:
        verified = provenance == Provenance.VERIFIED
    elif record.get("verified") is not None:
        verified = bool(record["verified"])
        provenance = (
            Provenance.VERIFIED
            if verified
            else (
                adoption.provenance
                if not created and adoption.provenance != Provenance.VERIFIED
                else adopter_services.reported_provenance(adoption, adoption.recorded_by)
            )
        )
    elif created:
        verified, provenance = False, Provenance.SELF_REPORTED
    else:
        return False
    if verified == adoption.verified and provenance == adoption.provenance:
        return False
    if verified != adoption.verified:
        adoption.verified = verified
        adoption.verified_at = timezone.now() if verified else None
        if not verified:
            adoption.verified_by = None
    adoption.provenance = provenance
    return True


def _adoption_values(record: dict[str, Any], catalogue: _Catalogue) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ADOPTION_TEXT_FIELDS:
        if name in record:
            values[name] = record[name] or ""
    for name in ADOPTION_VALUE_FIELDS:
        if name in record:
            values[name] = record[name]
    for name in ("adapted", "will_talk"):
        if name in record:
            values[name] = bool(record[name])
    if "region" in record:
        values["region"] = catalogue.region(record["region"])
    if "local_authority" in record:
        code = record["local_authority"]
        values["local_authority"] = catalogue.local_authorities[code] if code else None
    if record.get("status"):
        values["status"] = record["status"]
    return values


def _history(adoption: Adoption, steps: list[dict[str, Any]]) -> bool:
    """Make the adoption's status history exactly the file's; say whether it changed."""
    existing = [(h.status, h.changed_on, h.note) for h in adoption.history.all()]
    wanted = [(s["status"], s["changed_on"], s.get("note") or "") for s in steps]
    wanted.sort(key=lambda step: step[1])
    if existing == wanted:
        return False
    adoption.history.all().delete()
    AdoptionStatusChange.objects.bulk_create(
        AdoptionStatusChange(adoption=adoption, status=s, changed_on=d, note=n)
        for s, d, n in wanted
    )
    return True


# -- Resources


def _write_resource(record: dict[str, Any], catalogue: _Catalogue) -> Outcome:
    """Matched by slug; linked to the innovations it names."""
    values: dict[str, Any] = {"title": record["title"].strip()}
    for name in ("publisher", "url", "description", "source"):
        if name in record:
            values[name] = record[name] or ""
    if record.get("kind"):
        values["kind"] = record["kind"]
    resource = Resource.objects.filter(slug=record["slug"]).first()
    created = resource is None
    if resource is None:
        values.setdefault("kind", ResourceKind.ADVICE)
        resource = Resource(slug=record["slug"])
    changed = _apply(resource, values)
    if created or changed:
        resource.save()
    if "innovations" in record:
        wanted = set(record["innovations"] or [])
        current = set(resource.innovations.values_list("slug", flat=True))
        if wanted != current:
            resource.innovations.set(Innovation.objects.filter(slug__in=wanted))
            changed = True
    return _outcome(created, changed)


# Each section of the file and how one of its records is written, in the order they are written.
_SECTION_WRITERS: dict[str, Callable[[dict[str, Any], _Catalogue], Outcome]] = {
    "organisations": _write_organisation,
    "innovations": _write_innovation,
    "adoptions": _write_adoption,
    "resources": _write_resource,
}

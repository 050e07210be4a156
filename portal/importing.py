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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Model
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from rest_framework import serializers

from adopters.choices import AdoptionStatus
from adopters.models import Adoption, AdoptionStatusChange
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
    BeneficiaryGroup,
    Innovation,
    Organisation,
    ReachFigure,
    Region,
    Resource,
    ScalingRoute,
    Sector,
)
from kernel.audit import audited
from kernel.text import unique_slug

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


def _names(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, allow_null=True, **kwargs
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
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=220, required=False, allow_null=True)
    kind = _choice(OrganisationKind.values, required=False, allow_null=True)
    region = serializers.SlugField(required=False, allow_null=True)
    website = serializers.URLField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    source = _text(max_length=300)  # type: ignore[assignment]  # a field, not Field.source


class ReachRecord(StrictSerializer):
    measure = serializers.CharField(max_length=100)
    value = serializers.IntegerField(min_value=0, max_value=2**63 - 1)
    date = serializers.DateField(input_formats=["iso-8601"])
    source = _text(max_length=500)  # type: ignore[assignment]  # a field, not Field.source


class InnovationRecord(StrictSerializer):
    title = serializers.CharField(max_length=200)
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
    lead_organisation = serializers.CharField(max_length=200, required=False, allow_null=True)
    partners = _names()
    year_started = serializers.IntegerField(
        min_value=1800, max_value=2100, required=False, allow_null=True
    )
    cost_band = _choice(CostBand.values, required=False, allow_null=True)
    cost_notes = _text()
    funding_model = _text()
    website = serializers.URLField(
        max_length=200, required=False, allow_blank=True, allow_null=True
    )
    contact_name = _text(max_length=200)
    contact_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, allow_null=True
    )
    status = _choice(ModerationStatus.values, required=False, allow_null=True)
    source = _text(max_length=500)  # type: ignore[assignment]  # a field, not Field.source
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
    organisation = serializers.CharField(max_length=200)
    region = serializers.SlugField(required=False, allow_null=True)
    area = _text(max_length=200)
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
    contact_name = _text(max_length=200)
    contact_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, allow_null=True
    )
    verified = serializers.BooleanField(required=False, allow_null=True)
    source = _text(max_length=500)  # type: ignore[assignment]  # a field, not Field.source
    history = StatusChangeRecord(many=True, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        started, ended = attrs.get("started_on"), attrs.get("ended_on")
        if started and ended and ended < started:
            raise serializers.ValidationError({"ended_on": ["Cannot be before started_on."]})
        return attrs


class ResourceRecord(StrictSerializer):
    title = serializers.CharField(max_length=300)
    slug = serializers.SlugField(max_length=320, required=False, allow_null=True)
    kind = _choice(ResourceKind.values, required=False, allow_null=True)
    publisher = _text(max_length=200)
    url = serializers.URLField(max_length=200, required=False, allow_blank=True, allow_null=True)
    description = _text()
    innovations = serializers.ListField(
        child=serializers.SlugField(max_length=220), required=False, allow_null=True
    )
    source = _text(max_length=500)  # type: ignore[assignment]  # a field, not Field.source


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
    """Duplicates within the file, and names and slugs that point nowhere."""
    problems: list[str] = []
    region_slugs = set(Region.objects.values_list("slug", flat=True))
    file_orgs: dict[str, str] = {}
    for org in doc.organisations:
        key = org["name"].strip().lower()
        if key in file_orgs:
            problems.append(f'{org["_at"]}.name: "{org["name"]}" is also {file_orgs[key]}')
        file_orgs.setdefault(key, org["_at"])
        if org.get("region") and org["region"] not in region_slugs:
            problems.append(f'{org["_at"]}.region: "{org["region"]}" is not a known region')
    known_orgs = set(file_orgs) | {
        name for name in Organisation.objects.annotate(n=Lower("name")).values_list("n", flat=True)
    }

    def check_org(name: str | None, location: str) -> None:
        if name and name.strip().lower() not in known_orgs:
            problems.append(
                f'{location}: organisation "{name}" is neither in "organisations" '
                "nor already in the catalogue"
            )

    file_slugs: dict[str, str] = {}
    for inn in doc.innovations:
        at = inn["_at"]
        slug = inn.get("slug") or slugify(inn["title"])[:220].strip("-")
        if not slug:
            problems.append(f"{at}.title: cannot make a slug from this title; give a slug")
        elif slug in file_slugs:
            problems.append(f'{at}.slug: "{slug}" is also {file_slugs[slug]}')
        file_slugs.setdefault(slug, at)
        inn["slug"] = slug
        check_org(inn.get("lead_organisation"), f"{at}.lead_organisation")
        for i, partner in enumerate(inn.get("partners") or []):
            check_org(partner, f"{at}.partners[{i}]")
        for i, region in enumerate(inn.get("regions") or []):
            if region not in region_slugs:
                problems.append(f'{at}.regions[{i}]: "{region}" is not a known region')
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

    known_slugs = set(file_slugs) | set(Innovation.objects.values_list("slug", flat=True))
    seen_adoptions: dict[tuple[str, str, str], str] = {}
    for adoption in doc.adoptions:
        at = adoption["_at"]
        if adoption["innovation"] not in known_slugs:
            problems.append(
                f'{at}.innovation: no innovation with slug "{adoption["innovation"]}" '
                "in the file or the catalogue"
            )
        check_org(adoption["organisation"], f"{at}.organisation")
        if adoption.get("region") and adoption["region"] not in region_slugs:
            problems.append(f'{at}.region: "{adoption["region"]}" is not a known region')
        key = (
            adoption["innovation"],
            adoption["organisation"].strip().lower(),
            (adoption.get("area") or "").strip().lower(),
        )
        if key in seen_adoptions:
            problems.append(
                f"{at}: the same innovation, organisation and area as {seen_adoptions[key]}"
            )
        seen_adoptions.setdefault(key, at)

    resource_slugs: dict[str, str] = {}
    for resource in doc.resources:
        at = resource["_at"]
        slug = resource.get("slug") or slugify(resource["title"])[:320].strip("-")
        if not slug:
            problems.append(f"{at}.title: cannot make a slug from this title; give a slug")
        elif slug in resource_slugs:
            problems.append(f'{at}.slug: "{slug}" is also {resource_slugs[slug]}')
        resource_slugs.setdefault(slug, at)
        resource["slug"] = slug
        for i, inn_slug in enumerate(resource.get("innovations") or []):
            if inn_slug not in known_slugs:
                problems.append(f'{at}.innovations[{i}]: no innovation with slug "{inn_slug}"')
    return problems


# --- Writing ----------------------------------------------------------------------------------

INNOVATION_TEXT_FIELDS = (
    "problem",
    "how_it_works",
    "core",
    "adaptable",
    "outcomes",
    "evidence_summary",
    "stage",
    "kind",
    "cost_band",
    "cost_notes",
    "funding_model",
    "website",
    "contact_name",
    "contact_email",
    "source",
)
INNOVATION_VALUE_FIELDS = ("evidence_level", "year_started", "last_reviewed_on", "published_at")
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
        writer = _Writer(document)
        report = writer.write()
        if writer.problems:
            transaction.set_rollback(True)
            raise ImportFailed(writer.problems)
    return report


def _refusal(exc: IntegrityError) -> str:
    """The message of the constraint the database enforced, or the database's own words."""
    from django.apps import apps

    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return constraint.get_violation_error_message()  # its message, % its name
    return str(exc).splitlines()[0]


class _Unresolved(Exception):
    """A record refers to another that failed to write (already reported at its own place)."""


class _Writer:
    def __init__(self, document: Document):
        self.doc = document
        self.report = ImportReport()
        self.problems: list[str] = []
        self.regions = {r.slug: r for r in Region.objects.all()}
        self.orgs: dict[str, Organisation] = {o.name.lower(): o for o in Organisation.objects.all()}
        self.vocabularies: dict[type, dict[str, Any]] = {
            model: {v.slug: v for v in model.objects.all()}
            for model in (Sector, BeneficiaryGroup, ScalingRoute)
        }

    def write(self) -> ImportReport:
        """Write every record, each in a savepoint so that a refusal is reported where it is."""
        innovations: dict[str, Innovation] = {}
        steps = [
            *((r, self._organisation) for r in self.doc.organisations),
            *(
                (r, lambda r: innovations.__setitem__(r["slug"], self._innovation(r)))
                for r in self.doc.innovations
            ),
            *((r, lambda r: self._adoption(r, innovations)) for r in self.doc.adoptions),
            *((r, self._resource) for r in self.doc.resources),
        ]
        for record, write in steps:
            try:
                with transaction.atomic():
                    write(record)
            except IntegrityError as exc:  # a rule only the database knew about
                self.problems.append(f"{record['_at']}: {_refusal(exc)}")
            except DatabaseError as exc:  # a value the database cannot hold
                self.problems.append(f"{record['_at']}: {str(exc).splitlines()[0]}")
            except _Unresolved as exc:
                self.problems.append(f"{record['_at']}: {exc}")
            except Innovation.DoesNotExist:
                self.problems.append(
                    f"{record['_at']}: refers to an innovation that could not be written"
                )
        return self.report

    @staticmethod
    def _apply(obj: Any, values: dict[str, Any]) -> bool:
        """Set the given values on obj; say whether anything changed."""
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        return changed

    def _org(self, name: str) -> Organisation:
        try:
            return self.orgs[name.strip().lower()]
        except KeyError:
            raise _Unresolved(
                f'refers to organisation "{name}", which could not be written'
            ) from None

    def _vocabulary(self, model: type[Model], names: list[str]) -> list[Any]:
        known = self.vocabularies[model]
        found = []
        for name in names:
            slug = slugify(name)
            if slug not in known:
                known[slug] = model._default_manager.create(name=name.strip())
            found.append(known[slug])
        return found

    def _organisation(self, record: dict[str, Any]) -> None:
        key = record["name"].strip().lower()
        values: dict[str, Any] = {"name": record["name"].strip()}
        for name in ("kind", "website", "source"):
            if name in record:
                values[name] = record[name] or ""
        if "region" in record:
            values["region"] = self.regions.get(record["region"]) if record["region"] else None
        org = self.orgs.get(key)
        if org is None and record.get("slug"):
            # The same organisation under a new name (an edited export): rename it in place.
            org = Organisation.objects.filter(slug=record["slug"]).first()
            if org is not None:
                self.orgs.pop(org.name.lower(), None)
                self.orgs[key] = org
        if org is None:
            values.setdefault("kind", "other")
            values["kind"] = values["kind"] or "other"
            org = Organisation(**values)
            if record.get("slug"):
                org.slug = record["slug"]
            else:
                org.slug = unique_slug(Organisation, org.name, max_length=220)
            org.save()
            self.orgs[key] = org
            self.report.count("organisations", "created")
        elif self._apply(org, {k: v for k, v in values.items() if k != "kind" or v}):
            org.save()
            self.report.count("organisations", "updated")
        else:
            self.report.count("organisations", "unchanged")

    def _innovation(self, record: dict[str, Any]) -> Innovation:
        values: dict[str, Any] = {"title": record["title"].strip(), "summary": record["summary"]}
        for name in INNOVATION_TEXT_FIELDS:
            if name in record:
                values[name] = record[name] or ""
        for name in INNOVATION_VALUE_FIELDS:
            if name in record:
                values[name] = record[name]
        if values.get("published_at", False) is None:
            del values["published_at"]  # a publication date is kept, never cleared by a file
        if "scaling_ways" in record:
            values["scaling_ways"] = list(dict.fromkeys(record["scaling_ways"] or []))
        if "lead_organisation" in record:
            lead = record["lead_organisation"]
            values["lead_organisation"] = self._org(lead) if lead else None
        if record.get("status"):
            values["status"] = record["status"]

        innovation = Innovation.objects.filter(slug=record["slug"]).first()
        created = innovation is None
        if innovation is None:
            innovation = Innovation(slug=record["slug"])
        changed = self._apply(innovation, values)
        if innovation.status == ModerationStatus.PUBLISHED and innovation.published_at is None:
            innovation.published_at = timezone.now()
            changed = True
        if innovation.status == ModerationStatus.SUBMITTED and innovation.submitted_at is None:
            innovation.submitted_at = timezone.now()
            changed = True
        if created or changed:
            with audited(innovation, reason=IMPORT_REASON):
                innovation.save()

        relations = {
            "sectors": lambda r: self._vocabulary(Sector, r),
            "beneficiaries": lambda r: self._vocabulary(BeneficiaryGroup, r),
            "scaling_routes": lambda r: self._vocabulary(ScalingRoute, r),
            "regions": lambda r: [self.regions[slug] for slug in r],
            "partners": lambda r: [self._org(name) for name in r],
        }
        for name, resolve in relations.items():
            if name not in record:
                continue
            wanted = resolve(record[name] or [])
            manager = getattr(innovation, name)
            if created or {o.pk for o in wanted} != set(manager.values_list("pk", flat=True)):
                manager.set(wanted)
                changed = True

        if "reach" in record:
            changed |= self._reach(innovation, record["reach"] or [])

        if innovation.status == ModerationStatus.PUBLISHED:
            from networks.services import ensure_innovation_network

            ensure_innovation_network(innovation)
        self.report.count(
            "innovations", "created" if created else "updated" if changed else "unchanged"
        )
        return innovation

    @staticmethod
    def _reach(innovation: Innovation, figures: list[dict[str, Any]]) -> bool:
        """Make the innovation's reach figures exactly the file's; say whether any changed."""
        existing = {(f.measure, f.date): f for f in innovation.reach.all()}
        wanted = {}
        for data in figures:
            wanted[(data["measure"].strip(), data["date"])] = data
        changed = False
        for key, old in existing.items():
            if key not in wanted:
                old.delete()
                changed = True
        for key, data in wanted.items():
            figure = existing.get(key)
            values = {"value": data["value"], "source": data.get("source") or ""}
            if figure is None:
                ReachFigure.objects.create(
                    innovation=innovation, measure=key[0], date=key[1], **values
                )
                changed = True
            elif _Writer._apply(figure, values):
                figure.save()
                changed = True
        return changed

    def _adoption(self, record: dict[str, Any], innovations: dict[str, Innovation]) -> None:
        innovation = innovations.get(record["innovation"]) or Innovation.objects.get(
            slug=record["innovation"]
        )
        organisation = self._org(record["organisation"])
        area = (record.get("area") or "").strip()
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
            values["region"] = self.regions.get(record["region"]) if record["region"] else None
        if record.get("status"):
            values["status"] = record["status"]

        adoption = Adoption.objects.filter(
            innovation=innovation, organisation=organisation, area__iexact=area
        ).first()
        created = adoption is None
        if adoption is None:
            adoption = Adoption(innovation=innovation, organisation=organisation, area=area)
        previous_status = None if created else adoption.status
        changed = self._apply(adoption, values)
        if "verified" in record:
            verified = bool(record["verified"])
            if verified != adoption.verified:
                adoption.verified = verified
                adoption.verified_at = timezone.now() if verified else None
                changed = True
        if created or changed:
            with audited(adoption, reason=IMPORT_REASON):
                adoption.save()

        if record.get("history") is not None:
            changed |= self._history(adoption, record["history"])
        elif created or adoption.status != previous_status:
            AdoptionStatusChange.objects.create(
                adoption=adoption,
                status=adoption.status,
                changed_on=adoption.started_on if created and adoption.started_on else _today(),
                note="Recorded by catalogue import.",
            )
        self.report.count(
            "adoptions", "created" if created else "updated" if changed else "unchanged"
        )

    @staticmethod
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

    def _resource(self, record: dict[str, Any]) -> None:
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
        changed = self._apply(resource, values)
        if created or changed:
            resource.save()
        if "innovations" in record:
            wanted = set(record["innovations"] or [])
            current = set(resource.innovations.values_list("slug", flat=True))
            if wanted != current:
                resource.innovations.set(Innovation.objects.filter(slug__in=wanted))
                changed = True
        self.report.count(
            "resources", "created" if created else "updated" if changed else "unchanged"
        )


def _today() -> date:
    return timezone.localdate()

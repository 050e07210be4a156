"""How complete an innovation's entry is: what people deciding whether to adopt it look for,
and which of it the entry lacks. Defined here once, and nowhere else.

Each check is one condition in SQL, so that a list of innovations (the admin's) gets every
entry's score and gaps in the query that lists them (`with_completeness`), and filters by them.
The score is the share of checks an entry passes, 0 to 100, rounded down: 100 only when
nothing is missing. Its owners and the curators see the gaps, each with a link to where it is
filled in (`gaps`); the API's innovation detail gives the score and the missing keys; the
public never sees a gap as such. docs/moderation.md says what each check asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse

from catalogue.models import Innovation, ReachFigure

_THROUGH = Innovation._meta
_Innovations = TypeVar("_Innovations", bound=QuerySet[Innovation])


def _has(relation: str) -> Exists:
    """At least one row in the innovation's many-to-many `relation`."""
    through = _THROUGH.get_field(relation).remote_field.through  # type: ignore[union-attr]
    return Exists(through.objects.filter(innovation=OuterRef("pk")))


def _filled(field: str) -> Q:
    return ~Q(**{field: ""})


@dataclass(frozen=True)
class Check:
    """One thing a complete entry has. `key` names it in the API (`completeness.missing`);
    `label` says what is missing, as its owners read it; `field` is the innovation's field
    that holds it ("" for the reach figures, which have their own page)."""

    key: str
    label: str
    condition: Q | Exists
    field: str = ""

    @property
    def annotation(self) -> str:
        return f"has_{self.key}"


# The checks, in the order of the entry's page and its edit form.
CHECKS: tuple[Check, ...] = (
    Check("problem", "The problem it addresses", _filled("problem"), "problem"),
    Check("how_it_works", "How it works", _filled("how_it_works"), "how_it_works"),
    Check("core", "What must stay the same when others adopt it", _filled("core"), "core"),
    Check("adaptable", "What others can adapt to their place", _filled("adaptable"), "adaptable"),
    Check("outcomes", "What difference it has made", _filled("outcomes"), "outcomes"),
    Check(
        "evidence_summary",
        "What evidence there is",
        _filled("evidence_summary"),
        "evidence_summary",
    ),
    Check(
        "evidence_level",
        "Its level on the standards of evidence (a curator assesses it)",
        Q(evidence_level__isnull=False),
        "evidence_level",
    ),
    Check("stage", "The stage it has reached", _filled("stage"), "stage"),
    Check(
        "lead_organisation",
        "The organisation that leads it",
        Q(lead_organisation__isnull=False),
        "lead_organisation",
    ),
    Check("regions", "Where it operates", _has("regions"), "regions"),
    Check("sectors", "Its sectors", _has("sectors"), "sectors"),
    Check("beneficiaries", "Who it helps", _has("beneficiaries"), "beneficiaries"),
    Check("cost_band", "What it costs (low, medium or high)", _filled("cost_band"), "cost_band"),
    Check("cost_notes", "What the cost covers", _filled("cost_notes"), "cost_notes"),
    Check(
        "reach",
        "Reach figures, each with its source",
        Exists(ReachFigure.objects.filter(innovation=OuterRef("pk")))
        & ~Exists(ReachFigure.objects.filter(innovation=OuterRef("pk"), source="")),
    ),
    Check("contact", "A public contact email", _filled("contact_email"), "contact_email"),
)

# The edit form's own name for a field it asks differently (catalogue/forms.py).
_EDIT_FORM_NAMES = {"lead_organisation": "organisation_name"}
# Fields the edit form draws as a group of checkboxes: a link goes to the first box
# (kernel/templatetags/forms.py links errors the same way).
_GROUPS = {"regions", "sectors", "beneficiaries"}

# Bands of the score for the curators' list filter: value, label, condition on the score.
BANDS: tuple[tuple[str, str, Q], ...] = (
    ("complete", "Complete", Q(completeness_score=100)),
    ("75-99", "75 to 99%", Q(completeness_score__gte=75, completeness_score__lt=100)),
    ("50-74", "50 to 74%", Q(completeness_score__gte=50, completeness_score__lt=75)),
    ("under-50", "Below 50%", Q(completeness_score__lt=50)),
)


def _score() -> Any:
    passed = sum(
        (Case(When(check.condition, then=Value(1)), default=Value(0)) for check in CHECKS),
        start=Value(0),
    )
    # Integers throughout: PostgreSQL's division rounds down, as `Completeness.score` does.
    return ExpressionWrapper(passed * Value(100) / Value(len(CHECKS)), output_field=IntegerField())


def with_completeness(queryset: _Innovations) -> _Innovations:
    """Each innovation with `has_<key>` for every check and `completeness_score`, read in the
    query that lists them (no query per row)."""
    return queryset.annotate(
        **{
            check.annotation: ExpressionWrapper(check.condition, output_field=BooleanField())
            for check in CHECKS
        },
        completeness_score=_score(),
    )


@dataclass(frozen=True)
class Completeness:
    """An entry's score (0–100) and the checks it fails, in the order of CHECKS."""

    score: int
    missing: tuple[Check, ...]

    @property
    def missing_keys(self) -> list[str]:
        return [check.key for check in self.missing]

    def as_dict(self) -> dict[str, Any]:
        """As the API gives it: {"score": 75, "missing": ["evidence_level", …]}."""
        return {"score": self.score, "missing": self.missing_keys}


def of(innovation: Innovation) -> Completeness:
    """The completeness of an innovation: from its annotations when it came through
    `with_completeness`, otherwise read in one query."""
    if not hasattr(innovation, "completeness_score"):
        innovation = with_completeness(Innovation.objects.filter(pk=innovation.pk)).get()
    missing = tuple(check for check in CHECKS if not getattr(innovation, check.annotation))
    return Completeness(
        score=(len(CHECKS) - len(missing)) * 100 // len(CHECKS),
        missing=missing,
    )


@dataclass(frozen=True)
class Gap:
    """A check an entry fails, as its owners and the curators see it: what is missing, and
    where to fill it in ("" when they cannot, such as an owner and the evidence level)."""

    key: str
    label: str
    url: str


def fill_url(check: Check, innovation: Innovation, *, curator: bool, where: str = "page") -> str:
    """Where `check` is filled in for this innovation, seen from `where`: the entry's "page",
    its "edit" page, or its "admin" page. The reach figures have their own page; the rest is
    a field of the edit form (its anchor: on the edit page itself, just the anchor) or of the
    admin's form. The evidence level is set in the admin, by curators only: for owners, ""."""
    if check.key == "reach":
        return reverse("catalogue:edit-reach", args=[innovation.slug])
    if where == "admin":
        return f"#id_{check.field}"
    if check.key == "evidence_level":
        if not curator:
            return ""
        admin = reverse("admin:catalogue_innovation_change", args=[innovation.pk])
        return f"{admin}#id_evidence_level"
    name = _EDIT_FORM_NAMES.get(check.field, check.field)
    anchor = f"id_{name}_0" if name in _GROUPS else f"id_{name}"
    page = "" if where == "edit" else reverse("catalogue:edit", args=[innovation.slug])
    return f"{page}#{anchor}"


def gaps(
    innovation: Innovation,
    *,
    curator: bool = False,
    where: str = "page",
    found: Completeness | None = None,
) -> list[Gap]:
    """What the entry lacks (as `found` says, when the caller has read it already), each
    with where to fill it in (fill_url)."""
    return [
        Gap(check.key, check.label, fill_url(check, innovation, curator=curator, where=where))
        for check in (found or of(innovation)).missing
    ]

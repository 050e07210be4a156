"""What a search selects and sorts by, declared once.

`FACETS` and `SORTS` are read by the parameters' validation (`catalogue/filtersets.py`), the
engine (`catalogue/search.py`), the search page's labels and the API schema
(`catalogue/api/schema.py`); nothing lists the facets or the sorts again.

Facet keys: every facet value of an innovation encoded as one integer,

    key = facet code × KEY_BASE + value code,

where the value code is the database id for curated vocabularies and regions, the position
(from 1) in the contract's list for fixed vocabularies, the level for evidence, and 1 (yes) or
2 (no) for adopted. `adopted_in` (where it has an active adoption: piloting, adopted or scaled)
has two kinds of value: a region's id, as for `region` (a nation's too, so that a nation
selects its regions), and PLACE_OFFSET (10^9) + the id of a local authority, for ONS codes.
Key 0 stands for the innovation itself, so that counting keys also counts innovations. The
database computes `Innovation.facet_keys` and `FacetTotal` with exactly this encoding
(migrations 0005, 0009 and 0019); change both together.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from catalogue.choices import CostBand, InnovationKind, OrganisationKind, ScalingWay, Stage

KEY_BASE = 10**12
TOTAL_KEY = 0
# No innovation has this key: filtering on it selects nothing, as an unknown value must.
NO_KEY = -1
# Local authorities' value codes in `adopted_in`: above every region id, below the next facet.
PLACE_OFFSET = 10**9

Value: TypeAlias = str | int  # a slug, or an evidence level


@dataclass(frozen=True)
class Facet:
    """One facet: a search parameter, a group of checkboxes on the page, a list of counts in
    the API's `facets`.

    Its values are found either in a table (`table`: curated vocabularies and regions, whose
    values are the rows' slugs) or in a fixed list (`choices`, in the contract's order, which
    is also the order of their value codes and of their checkboxes).
    """

    name: str  # the parameter, and the facet's key in the API's `facets`
    code: int  # the facet code of its keys
    label: str  # the page's heading for its checkboxes
    description: str  # what a value is, for the API schema
    table: str | None = None
    choices: tuple[tuple[Value, str], ...] = ()
    # Whether a value outside `choices` is malformed (a 400) rather than selecting nothing.
    strict: bool = False
    # Values may also be local authorities' ONS codes (keys PLACE_OFFSET + their id), which are
    # counted (`places`) but not listed among the facet's values unless selected.
    places: bool = False

    @property
    def values(self) -> list[Value]:
        """The fixed values, in order (none for a facet whose values are in a table)."""
        return [value for value, _ in self.choices]

    @property
    def integer(self) -> bool:
        """Whether its values are integers (evidence levels) rather than slugs."""
        return bool(self.choices) and all(isinstance(value, int) for value in self.values)

    @property
    def base(self) -> int:
        """Its first key: a value's key is this plus the value's code."""
        return self.code * KEY_BASE

    def key(self, value: Value) -> int | None:
        """The key of a fixed value, or None for a value the list does not have."""
        values = self.values
        return self.base + values.index(value) + 1 if value in values else None

    def value(self, code: int) -> Value:
        """The fixed value of a value code."""
        return self.values[code - 1]


def _choices(choices: list[tuple[str, str]]) -> tuple[tuple[Value, str], ...]:
    return tuple((value, str(label)) for value, label in choices)


# In the order of the API's `facets` (shared/CONTRACT.md) and of the page's filters.
FACETS: tuple[Facet, ...] = (
    Facet("sector", 1, "Sector", "Sector slug.", table="catalogue_sector"),
    Facet(
        "beneficiary",
        2,
        "Who it helps",
        "Beneficiary group slug.",
        table="catalogue_beneficiarygroup",
    ),
    Facet(
        "scaling_route", 3, "Scaling route", "Scaling route slug.", table="catalogue_scalingroute"
    ),
    Facet("stage", 5, "Stage", "Stage.", choices=_choices(Stage.choices)),
    Facet("kind", 6, "Kind", "Kind of innovation.", choices=_choices(InnovationKind.choices)),
    Facet(
        "scaling_way", 7, "Way of scaling", "Way of scaling.", choices=_choices(ScalingWay.choices)
    ),
    Facet(
        "organisation_kind",
        8,
        "Lead organisation",
        "The lead organisation's kind.",
        choices=_choices(OrganisationKind.choices),
    ),
    Facet(
        "region",
        4,
        "Where it operates",
        "Region slug; a nation (england) selects its regions.",
        table="catalogue_region",
    ),
    Facet("cost_band", 9, "Cost", "Cost band.", choices=_choices(CostBand.choices)),
    Facet(
        "evidence",
        10,
        "Evidence level",
        "Evidence level 1–5.",
        choices=tuple((level, f"Level {level}") for level in range(1, 6)),
    ),
    Facet(
        "adopted",
        11,
        "Adopted",
        "Whether it has an adoption that is piloting, adopted or scaled.",
        choices=(("yes", "Adopted"), ("no", "Not yet adopted")),
        strict=True,
    ),
    Facet(
        "adopted_in",
        12,
        "Where it has been adopted",
        "Region slug (a nation, england, selects its regions) or a local authority's ONS code "
        "(E06000014): where it has an adoption that is piloting, adopted or scaled.",
        table="catalogue_region",
        places=True,
    ),
)
FACET_BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}
FACET_BY_CODE: dict[int, Facet] = {facet.code: facet for facet in FACETS}
FACET_CODES: dict[str, int] = {facet.name: facet.code for facet in FACETS}


def decode(key: int) -> tuple[str, int]:
    """(facet name, value code) of a key."""
    return FACET_BY_CODE[key // KEY_BASE].name, key % KEY_BASE


def is_place(code: int) -> bool:
    """Whether a value code of a `places` facet is a local authority's."""
    return code > PLACE_OFFSET


@dataclass(frozen=True)
class Sort:
    """One order of results: the `sort` parameter's value, the page's label and the SQL.

    `order_by` ends in the id, so every order is total: the page, the API's pages, the CSV
    and the feed list the same innovations in the same order. It names columns that both
    `catalogue_innovation` and `catalogue_searchentry` have (`columns`, besides `id` and the
    text query's `rank`), and each order has an index on innovations (models.py).
    """

    name: str
    label: str
    order_by: str
    columns: tuple[str, ...]


SORTS: tuple[Sort, ...] = (
    Sort("relevance", "Relevance", "rank DESC, published_at DESC, id DESC", ("published_at",)),
    Sort("newest", "Newest", "published_at DESC, id DESC", ("published_at",)),
    Sort(
        "most_adopted",
        "Most adopted",
        "adoption_count DESC, title, id",
        ("adoption_count", "title"),
    ),
    Sort(
        "evidence",
        "Strongest evidence",
        "evidence_level DESC NULLS LAST, title, id",
        ("evidence_level", "title"),
    ),
    Sort("title", "Title", "title, id", ("title",)),
)
SORT_BY_NAME: dict[str, Sort] = {sort.name: sort for sort in SORTS}

"""Facet keys: every facet value of an innovation encoded as one integer.

key = facet code × KEY_BASE + value code, where the value code is the database id for curated
vocabularies and regions, the position (from 1) in the contract's list for fixed vocabularies,
the level for evidence, and 1 (yes) or 2 (no) for adopted. Key 0 stands for the innovation
itself, so that counting keys also counts innovations.

The database computes `Innovation.facet_keys` with exactly this encoding (migration 0005);
change both together.
"""

from __future__ import annotations

from catalogue.choices import CostBand, InnovationKind, OrganisationKind, ScalingWay, Stage

KEY_BASE = 10**12
TOTAL_KEY = 0

FACET_CODES: dict[str, int] = {
    "sector": 1,
    "beneficiary": 2,
    "scaling_route": 3,
    "region": 4,
    "stage": 5,
    "kind": 6,
    "scaling_way": 7,
    "organisation_kind": 8,
    "cost_band": 9,
    "evidence": 10,
    "adopted": 11,
}
FACET_BY_CODE = {code: facet for facet, code in FACET_CODES.items()}

# Facets whose value codes are positions in a fixed list (1-based).
FIXED_VALUES: dict[str, list] = {
    "stage": Stage.values,
    "kind": InnovationKind.values,
    "scaling_way": ScalingWay.values,
    "organisation_kind": OrganisationKind.values,
    "cost_band": CostBand.values,
    "evidence": [1, 2, 3, 4, 5],
    "adopted": ["yes", "no"],
}

# Facets whose value codes are ids in a table (slug and name come from there).
TABLES = {
    "sector": "catalogue_sector",
    "beneficiary": "catalogue_beneficiarygroup",
    "scaling_route": "catalogue_scalingroute",
    "region": "catalogue_region",
}


def facet_range(facet: str) -> tuple[int, int]:
    """The keys [low, high) of one facet."""
    code = FACET_CODES[facet]
    return code * KEY_BASE, (code + 1) * KEY_BASE


def decode(key: int) -> tuple[str, int]:
    """(facet, value code) of a key."""
    return FACET_BY_CODE[key // KEY_BASE], key % KEY_BASE


def fixed_value(facet: str, code: int) -> str | int:
    return FIXED_VALUES[facet][code - 1]


def fixed_key(facet: str, value: object) -> int | None:
    """The key of a fixed-vocabulary value, or None for a value the list does not have."""
    values = FIXED_VALUES[facet]
    if value not in values:
        return None
    return FACET_CODES[facet] * KEY_BASE + values.index(value) + 1


# No innovation has this key: filtering on it selects nothing, as an unknown value must.
NO_KEY = -1


def sql_array(values: list) -> str:
    """A SQL text array literal of the fixed values, for the migration that encodes them."""
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"

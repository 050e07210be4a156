"""The UK's local authority districts, seeded from the vendored HexJSON file, each in its
region: the English regions by their GSS codes, and the nations for the rest of the UK."""

import json
from collections import Counter
from pathlib import Path

import pytest

import catalogue
from catalogue.models import LocalAuthority
from tests.factories import local_authority

pytestmark = pytest.mark.django_db

HEXJSON = Path(catalogue.__file__).parent / "data" / "uk-local-authority-districts-2023.hexjson"


def test_every_district_of_the_file_is_seeded_with_its_code_and_name():
    hexes = json.loads(HEXJSON.read_text(encoding="utf-8"))["hexes"]

    seeded = dict(LocalAuthority.objects.values_list("code", "name"))

    assert len(seeded) == 361
    assert seeded == {code: cell["n"] for code, cell in hexes.items()}


def test_districts_sit_in_the_contracts_regions_and_nations():
    per_region = Counter(LocalAuthority.objects.values_list("region__slug", flat=True))

    assert per_region == {
        "north-east": 12,
        "north-west": 35,
        "yorkshire-and-the-humber": 15,
        "east-midlands": 35,
        "west-midlands": 30,
        "east-of-england": 45,
        "london": 33,
        "south-east": 64,
        "south-west": 27,
        "scotland": 32,
        "wales": 22,
        "northern-ireland": 11,
    }
    assert local_authority("E06000014").region.slug == "yorkshire-and-the-humber"
    assert local_authority("W06000015").region.slug == "wales"


def test_the_licence_travels_with_the_file():
    licence = (HEXJSON.parent / "hexmaps-LICENSE.txt").read_text(encoding="utf-8")

    assert "MIT License" in licence
    assert "Open Innovations" in licence

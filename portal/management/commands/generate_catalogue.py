"""Build a large synthetic catalogue for benchmarks and load tests.

Every entry is plainly synthetic (its source says so); vocabularies are skewed the way real
catalogues are (a few sectors hold most entries), every facet is populated, and about half the
innovations have adoptions.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model
from django.utils.text import slugify

from adopters.models import Adoption
from catalogue.choices import CostBand, InnovationKind, OrganisationKind, ScalingWay, Stage
from catalogue.models import (
    BeneficiaryGroup,
    Innovation,
    LocalAuthority,
    Organisation,
    Region,
    ScalingRoute,
    Sector,
)

SOURCE = "Synthetic entry made by generate_catalogue for benchmarking"
BATCH = 5_000

SECTORS = [
    "Health", "Social care", "Community and volunteering", "Children and families", "Education",
    "Housing", "Employment", "Public sector reform", "Culture and arts", "Environment",
    "Criminal justice", "Transport", "Digital services", "Mental health", "Emergency care",
    "Welfare and benefits", "Libraries", "Sport and leisure", "Planning", "Food",
]  # fmt: skip
BENEFICIARIES = [
    "Older people", "Carers", "Young people", "Children", "Families", "Care leavers",
    "People with long-term conditions", "People at risk of isolation", "Whole community",
    "Public service staff", "People on low incomes", "Disabled people", "Refugees",
    "People with mental health needs", "Kinship carers", "Stroke survivors", "Veterans",
    "Homeless people", "Ex-offenders", "Rural communities", "Students", "Parents",
    "People with dementia", "Unemployed people", "Women", "Men", "LGBT+ people",
    "Ethnic minority communities", "People at the end of life", "Volunteers",
]  # fmt: skip
ROUTES = [
    "Organisational growth", "Replication through partners", "Licensing or social franchising",
    "Digital delivery", "Policy or legal change", "Taken over by an existing organisation",
    "Open diffusion",
]  # fmt: skip
OPENINGS = [
    "Community", "Peer", "Digital", "Neighbourhood", "Family", "Youth", "Shared", "Local",
    "Integrated", "Volunteer", "Citizen", "Intergenerational", "Home-based", "School-based",
    "Hospital", "Mobile", "Online", "Coastal", "Rural", "Urban",
]  # fmt: skip
CORES = [
    "support circles", "mentoring", "health champions", "befriending", "reading groups",
    "time banking", "care coordination", "social prescribing", "first responders",
    "kinship networks", "running clubs", "lunch clubs", "repair cafes", "learning hubs",
    "housing co-operatives", "employment coaching", "homesharing", "crisis recovery teams",
    "community gardens", "art workshops", "peer navigators", "carers' breaks",
]  # fmt: skip
FOR = [
    "for carers", "for care leavers", "for older neighbours", "for new parents",
    "after a stroke", "for people leaving hospital", "in rural areas", "for young people",
    "for families in crisis", "for people living alone", "in social housing", "at work",
]  # fmt: skip
# A long tail of activities, one per innovation, far more likely first than last (Zipf): the
# first appears in about one entry in five, the last in about one in 650, so the benchmark has
# genuinely rare, medium and broad words to search for (bench/request_set.py).
ACTIVITIES = [
    "gardening", "cooking", "walking", "singing", "reading", "swimming", "cycling", "dancing",
    "painting", "knitting", "yoga", "photography", "pottery", "woodworking", "sewing", "baking",
    "chess", "crochet", "drumming", "storytelling", "poetry", "quilting", "embroidery",
    "birdwatching", "canoeing", "kayaking", "archery", "orienteering", "rowing", "climbing",
    "bouldering", "skateboarding", "juggling", "puppetry", "journaling", "genealogy",
    "cartography", "robotics", "electronics", "soldering", "tailoring", "weaving", "felting",
    "basketry", "blacksmithing", "glassblowing", "mosaics", "printmaking", "screenprinting",
    "sculpture", "origami", "allotments", "hedgelaying", "thatching", "coppicing", "falconry",
    "angling", "sailing", "surfing", "snorkelling", "paddleboarding", "rambling", "geocaching",
    "cartooning", "animation", "bellringing", "handbells", "harmonica", "accordion", "banjo",
    "mandolin", "harp", "bagpipes", "fiddle", "ceilidh", "bhangra", "capoeira", "judo", "karate",
    "boxing", "badminton", "croquet", "petanque", "curling", "skittles", "darts", "snooker",
    "scrabble", "crosswords", "sudoku", "jigsaws", "lacemaking", "tatting", "macrame",
    "marquetry", "whittling", "herbalism", "mycology", "entomology", "botany", "ornithology",
    "meteorology", "cheesemaking", "breadmaking", "beekeeping", "bookbinding", "calligraphy",
    "upholstery", "bricklaying", "plastering", "welding", "foraging", "beachcombing",
    "stargazing", "astronomy", "geology", "filmmaking", "podcasting", "songwriting", "ukulele",
]  # fmt: skip
VERBS = ["connects", "trains", "matches", "supports", "brings together", "equips", "helps"]
STATUSES = ["exploring", "planning", "piloting", "adopted", "scaled", "paused", "stopped"]


def zipf_choice(rng: random.Random, items: list, k: int) -> list:
    """k distinct items, the first items far more likely than the last (a skewed vocabulary)."""
    weights = [1 / (rank + 1) for rank in range(len(items))]
    chosen: list = []
    while len(chosen) < min(k, len(items)):
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


class Command(BaseCommand):
    help = "Add N synthetic innovations (with organisations, relations and adoptions)."

    places: random.Random
    authorities: list[tuple[int, int]]  # local authorities' ids, with their regions'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--innovations", type=int, required=True, help="How many to add.")
        parser.add_argument("--seed", type=int, default=2011, help="Random seed (repeatable).")

    def handle(self, *args: Any, innovations: int, seed: int, **options: Any) -> None:
        if innovations < 1:
            raise CommandError("--innovations must be at least 1")
        rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        # Where adoptions happen is drawn apart, so that everything else stays as it was drawn
        # before adoptions had local authorities (and the benchmarks stay comparable).
        self.places = random.Random(seed + 1)  # noqa: S311 - synthetic data, not security
        self.authorities = list(LocalAuthority.objects.values_list("pk", "region_id"))
        sectors = [Sector.objects.get_or_create(name=n)[0].pk for n in SECTORS]
        groups = [BeneficiaryGroup.objects.get_or_create(name=n)[0].pk for n in BENEFICIARIES]
        routes = [ScalingRoute.objects.get_or_create(name=n)[0].pk for n in ROUTES]
        regions = list(Region.objects.exclude(slug="england").values_list("pk", flat=True))
        england = Region.objects.get(slug="england").pk
        organisations = self._organisations(rng, max(20, innovations // 10), regions)

        start = Innovation.objects.count()
        began = time.monotonic()
        done = 0
        while done < innovations:
            size = min(BATCH, innovations - done)
            self._batch(
                rng, start + done, size, sectors, groups, routes, regions, england, organisations
            )
            done += size
            self._progress(done, innovations, began)
        self.stdout.write("")
        with connection.cursor() as cursor:
            # Statistics for the planner, and the visibility map for index-only scans (VACUUM
            # cannot run inside a transaction, as in a test).
            vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            for table in ("catalogue_innovation", "catalogue_searchentry", "catalogue_facettotal"):
                cursor.execute(f"{vacuum} {table}")
        self.stdout.write(self.style.SUCCESS(f"Added {innovations:,} synthetic innovations."))

    def _progress(self, done: int, total: int, began: float) -> None:
        width = 30
        filled = int(width * done / total)
        rate = done / max(time.monotonic() - began, 1e-6)
        bar = "#" * filled + "-" * (width - filled)
        sys.stdout.write(f"\r[{bar}] {done:,}/{total:,} innovations ({rate:,.0f}/s)")
        sys.stdout.flush()

    def _organisations(self, rng: random.Random, count: int, regions: list[int]) -> list[int]:
        existing = Organisation.objects.filter(source=SOURCE).count()
        kinds = OrganisationKind.values
        new = [
            Organisation(
                name=f"Synthetic organisation {existing + n + 1}",
                slug=f"synthetic-organisation-{existing + n + 1}",
                kind=zipf_choice(rng, kinds, 1)[0],
                region_id=rng.choice(regions),
                source=SOURCE,
            )
            for n in range(count)
        ]
        Organisation.objects.bulk_create(new, batch_size=BATCH)
        return list(Organisation.objects.filter(source=SOURCE).values_list("pk", flat=True))

    @transaction.atomic
    def _batch(
        self,
        rng: random.Random,
        offset: int,
        size: int,
        sectors: list[int],
        groups: list[int],
        routes: list[int],
        regions: list[int],
        england: int,
        organisations: list[int],
    ) -> None:
        # Relations and adoptions go in first, under ids taken from the sequence, and the
        # innovations last (foreign keys are checked at commit): the database then derives each
        # innovation's search vector and facet columns once, on insert.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence('catalogue_innovation', 'id')) "
                "FROM generate_series(1, %s)",
                [size],
            )
            ids = [row[0] for row in cursor.fetchall()]
        through = Innovation.sectors.through
        # The rows of each many-to-many table (one model each).
        model: type[Model]
        links: dict[type[Model], list[Model]] = {
            Innovation.sectors.through: [],
            Innovation.beneficiaries.through: [],
            Innovation.scaling_routes.through: [],
            Innovation.regions.through: [],
        }
        adoptions, innovations = [], []
        now = datetime.now(tz=UTC)
        for n, pk in enumerate(ids):
            number = offset + n + 1
            words = (rng.choice(OPENINGS), rng.choice(CORES), rng.choice(FOR), str(number))
            title = " ".join(words).capitalize()
            for sector in zipf_choice(rng, sectors, rng.randint(1, 3)):
                links[through].append(through(innovation_id=pk, sector_id=sector))
            model = Innovation.beneficiaries.through
            for group in zipf_choice(rng, groups, rng.randint(1, 3)):
                links[model].append(model(innovation_id=pk, beneficiarygroup_id=group))
            model = Innovation.scaling_routes.through
            for route in zipf_choice(rng, routes, rng.randint(0, 2)):
                links[model].append(model(innovation_id=pk, scalingroute_id=route))
            model = Innovation.regions.through
            places = zipf_choice(rng, regions, rng.randint(1, 3))
            if rng.random() < 0.1:
                places = [england]
            for region in places:
                links[model].append(model(innovation_id=pk, region_id=region))
            adopters = rng.sample(
                organisations, k=min(len(organisations), rng.choice([0, 0, 1, 1, 2, 4]))
            )
            for adopter in adopters:
                region = rng.choice(regions)
                authority = None
                if self.authorities and self.places.random() < 0.8:
                    authority, region = self.places.choice(self.authorities)
                adoptions.append(
                    Adoption(
                        innovation_id=pk,
                        organisation_id=adopter,
                        region_id=region,
                        local_authority_id=authority,
                        status=zipf_choice(rng, STATUSES[::-1][2:] + STATUSES[:2], 1)[0],
                        source=SOURCE,
                    )
                )
            published = rng.random() < 0.95
            innovations.append(
                Innovation(
                    id=pk,
                    title=title,
                    slug=f"{slugify(title)}"[:200],
                    summary=(
                        f"A synthetic {rng.choice(CORES)} scheme that {rng.choice(VERBS)} "
                        f"{rng.choice(BENEFICIARIES).lower()} {rng.choice(FOR)}."
                    ),
                    problem=f"Services struggle to reach {rng.choice(BENEFICIARIES).lower()}.",
                    how_it_works=(
                        f"Local teams run {rng.choice(CORES)} and {rng.choice(CORES)}; "
                        f"partners {rng.choice(VERBS)} people {rng.choice(FOR)}. "
                        f"Sessions often include {zipf_choice(rng, ACTIVITIES, 1)[0]}."
                    ),
                    evidence_level=rng.choice([None, None, 1, 1, 2, 2, 3, 4, 5]),
                    stage=zipf_choice(rng, Stage.values[::-1], 1)[0],
                    kind=rng.choice(InnovationKind.values),
                    scaling_ways=rng.sample(ScalingWay.values, k=rng.randint(0, 3)),
                    lead_organisation_id=rng.choice(organisations),
                    cost_band=rng.choice(["", *CostBand.values]),
                    year_started=rng.randint(1995, 2024),
                    status="published" if published else "draft",
                    published_at=now - timedelta(days=rng.randint(0, 3650)) if published else None,
                    source=SOURCE,
                )
            )
        for model, rows in links.items():
            model._default_manager.bulk_create(rows, batch_size=BATCH)
        Adoption.objects.bulk_create(adoptions, batch_size=BATCH)
        Innovation.objects.bulk_create(innovations, batch_size=BATCH)

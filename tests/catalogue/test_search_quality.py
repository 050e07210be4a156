"""How well search finds what people expect, measured (docs/search.md, "Quality").

Every judged query of tests/search_judgements.json is run through the engine the page and the
API use, on the demo catalogue, and scored: hit@3 is the share of queries with at least one
relevant innovation in the first three results; recall@10 is the mean, over queries, of the
share of their relevant innovations found in the first ten. The test fails when either falls
below its floor. The per-query report is printed (`pytest … -rP` shows it) and written to
var/search-quality.txt.
"""

import io
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.http import QueryDict

from catalogue.models import Innovation
from catalogue.search import search

# The floors: what the engine reached when they were last raised, rounded down to 0.05
# (docs/search.md, "Quality", has the figures). Raise them when search gets better.
HIT_AT_3_FLOOR = 0.85
RECALL_AT_10_FLOOR = 0.70

JUDGEMENTS = Path(__file__).resolve().parents[1] / "search_judgements.json"
REPORT = Path(settings.BASE_DIR) / "var" / "search-quality.txt"
PAGE_SIZE = 10


@dataclass(frozen=True)
class Judgement:
    """One judged query: the text, any facet parameters, and what a person expects to find."""

    q: str
    filters: str
    relevant: frozenset[str]
    why: str

    def params(self) -> QueryDict:
        query_string = urlencode({"q": self.q, "page_size": PAGE_SIZE})
        if self.filters:
            query_string += "&" + self.filters
        return QueryDict(query_string)

    def label(self) -> str:
        return f"{self.q} [{self.filters}]" if self.filters else self.q


def load_judgements(path: Path = JUDGEMENTS) -> list[Judgement]:
    entries = json.loads(path.read_text(encoding="utf-8"))["queries"]
    return [
        Judgement(
            q=entry["q"],
            filters=entry.get("filters", ""),
            relevant=frozenset(entry["relevant"]),
            why=entry["why"],
        )
        for entry in entries
    ]


def hit_at(k: int, ranked: list[str], relevant: frozenset[str]) -> bool:
    """Whether any relevant innovation is among the first k results."""
    return not relevant.isdisjoint(ranked[:k])


def recall_at(k: int, ranked: list[str], relevant: frozenset[str]) -> float:
    """The share of the relevant innovations found among the first k results."""
    return len(relevant.intersection(ranked[:k])) / len(relevant)


@dataclass(frozen=True)
class Scored:
    judgement: Judgement
    ranked: list[str]
    hit_at_3: bool
    recall_at_10: float


def score(judgements: list[Judgement]) -> list[Scored]:
    scored = []
    for judgement in judgements:
        ranked = [hit.slug for hit in search(judgement.params()).results]
        relevant = judgement.relevant
        scored.append(
            Scored(judgement, ranked, hit_at(3, ranked, relevant), recall_at(10, ranked, relevant))
        )
    return scored


def report(scored: list[Scored], hit_at_3: float, recall_at_10: float) -> str:
    lines = [
        f"Search quality over {len(scored)} judged queries (tests/search_judgements.json)",
        f"hit@3 {hit_at_3:.3f} (floor {HIT_AT_3_FLOOR})  "
        f"recall@10 {recall_at_10:.3f} (floor {RECALL_AT_10_FLOOR})",
        "",
        "hit@3  recall@10  query  ->  first three results; relevant not in the first ten",
    ]
    worst_first = sorted(scored, key=lambda s: (s.hit_at_3, s.recall_at_10))
    for s in worst_first:
        missed = sorted(s.judgement.relevant.difference(s.ranked))
        lines.append(
            f"{'yes' if s.hit_at_3 else 'NO ':5}  {s.recall_at_10:9.2f}  {s.judgement.label()!r}"
            f"  ->  {', '.join(s.ranked[:3]) or '(nothing)'}"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )
    return "\n".join(lines) + "\n"


# --- The measure itself


def test_hit_at_3_counts_a_relevant_result_in_the_first_three_only():
    relevant = frozenset({"goodgym"})
    assert hit_at(3, ["henpower", "first-call", "goodgym", "goodsam"], relevant)
    assert not hit_at(3, ["henpower", "first-call", "goodsam", "goodgym"], relevant)
    assert not hit_at(3, [], relevant)


def test_recall_at_10_is_the_share_of_relevant_found_in_the_first_ten():
    relevant = frozenset({"goodgym", "henpower", "the-cares-family", "first-call"})
    ranked = ["henpower", *(f"other-{n}" for n in range(9)), "goodgym"]
    assert recall_at(10, ranked, relevant) == 0.25
    assert recall_at(11, ranked, relevant) == 0.5
    assert recall_at(10, [], relevant) == 0


# --- The judgements and the engine


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_judgements_name_published_demo_innovations(demo):
    judgements = load_judgements()
    published = set(Innovation.objects.published().values_list("slug", flat=True))
    assert len(judgements) >= 50
    assert len({(j.q, j.filters) for j in judgements}) == len(judgements), "a query is repeated"
    for judgement in judgements:
        assert 1 <= len(judgement.relevant) <= 5, judgement.label()
        assert judgement.relevant <= published, judgement.label()
        assert judgement.why.strip(), judgement.label()


def test_search_finds_what_people_expect(demo):
    scored = score(load_judgements())
    hit_at_3 = sum(s.hit_at_3 for s in scored) / len(scored)
    recall_at_10 = sum(s.recall_at_10 for s in scored) / len(scored)

    text = report(scored, hit_at_3, recall_at_10)
    print(text)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text, encoding="utf-8")

    assert hit_at_3 >= HIT_AT_3_FLOOR
    assert recall_at_10 >= RECALL_AT_10_FLOOR

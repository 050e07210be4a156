"""The fixed, published set of search requests the benchmark measures (issue 3).

Browsing with 0–4 filters, OR within a facet, rare / medium / broad text queries with and without
filters, page 1 and page 5, relevance and most-adopted sorts, and (issue 15) widened queries,
a synonym and a corrected word. Slugs are those that
`manage.py generate_catalogue` creates, so the set means the same at every catalogue size.
"""

REQUESTS: list[tuple[str, str]] = [
    # name, query string
    ("browse", ""),
    ("browse page 5", "page=5"),
    ("browse most adopted", "sort=most_adopted"),
    ("1 filter: sector", "sector=health"),
    ("1 filter: rare sector", "sector=food"),
    ("1 filter: stage", "stage=growing-scaling-spreading"),
    ("1 filter: region nation", "region=england"),
    ("1 filter: adopted", "adopted=yes"),
    ("1 filter: evidence", "evidence=3"),
    ("2 filters", "sector=health&stage=delivering-implementing"),
    ("2 filters, page 5", "sector=health&beneficiary=older-people&page=5"),
    ("3 filters", "sector=health&region=london&kind=service"),
    ("4 filters", "sector=social-care&beneficiary=carers&region=england&evidence=2"),
    (
        "4 filters most adopted",
        "sector=health&scaling_way=out&cost_band=low&adopted=yes&sort=most_adopted",
    ),
    ("OR in a facet", "sector=health&sector=education&sector=housing"),
    (
        "OR in two facets",
        "stage=making-the-case&stage=changing-systems&region=scotland&region=wales",
    ),
    (
        "OR + AND",
        "sector=health&sector=social-care&beneficiary=older-people&beneficiary=carers&adopted=yes",
    ),
    ("organisation kind", "organisation_kind=charity&organisation_kind=social-enterprise"),
    ("scaling route", "scaling_route=digital-delivery&scaling_route=open-diffusion"),
    ("cost and evidence", "cost_band=low&evidence=4&evidence=5"),
    # botany: about 0.2 % of entries; singing: about 5 %; support: about 40 % (see
    # generate_catalogue's ACTIVITIES).
    ("rare text", "q=botany"),
    ("rare text, page 5", "q=botany&page=5"),
    ("medium text", "q=singing"),
    ("broad text", "q=support"),
    ("broad text page 5", "q=support&page=5"),
    ("broad text most adopted", "q=support&sort=most_adopted"),
    ("phrase", 'q="lunch clubs"'),
    ("or query", "q=befriending+or+homesharing"),
    ("exclusion", "q=carers+-rural"),
    ("rare text + filter", "q=botany&sector=housing"),
    ("medium text + filter", "q=singing&region=london"),
    ("broad text + 2 filters", "q=support&sector=health&adopted=yes"),
    (
        "broad text + 4 filters",
        "q=community&sector=health&beneficiary=older-people&region=england&evidence=2",
    ),
    ("text + OR", "q=mentoring&sector=education&sector=employment"),
    ("text relevance page 5", "q=community&sort=relevance&page=5"),
    ("no match", "q=zzzyqx"),
    ("misspelt (suggestions)", "q=mentorng"),
    ("unknown slug", "sector=does-not-exist"),
    ("page size 100", "page_size=100"),
    ("text + page size 100", "q=clubs&page_size=100"),
    # Issue 15: queries no entry matches in full, which the search widens to most of their
    # words (support is broad; one activity per entry, so no entry has all three); a synonym;
    # a corrected word beside a broad one; a joined name split.
    ("widened, broad", "q=support+singing+botany"),
    ("widened, broad, page 5", "q=support+singing+botany&page=5"),
    ("widened + 2 filters", "q=support+singing+botany&sector=health&adopted=yes"),
    ("widened, four words", "q=community+support+older+people+zzzyqx"),
    ("synonym", "q=elderly+support"),
    ("corrected + broad", "q=mentorng+support"),
]

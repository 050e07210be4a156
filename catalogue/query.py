"""How a text query is read: its words, what people mean by them, and their misspellings.

`read(q)` parses web-search syntax as PostgreSQL's `websearch_to_tsquery` does (words,
`"quoted phrases"`, `or`, `-excluded`), then asks the database once (`_READING_SQL`):

- whether each word or phrase matches anything published, and whether full-text search keeps
  it at all (English stop words it leaves out);
- a correction for a word of letters that matches nothing and that no synonym explains: the
  nearest word of the published catalogue (`models.Word`) within a typo budget (one letter
  wrong from five letters, two from nine, as dedicated search engines allow);
- the synonyms curators keep (`models.Synonym`) of every word, of every two or three words
  typed next to each other ("older people") and of every correction;
- words of the catalogue that two or three typed words make when joined ("home start" →
  "homestart"), and hyphenated names typed with spaces or joined.

The result, a `Reading`, is a list of clauses: each one of the query's words (or phrases, or
words joined by `or`) with its alternatives (the word or its correction, its synonyms, its
joined form). The search asks for every clause (`all_words`) and, when no innovation has them
all, for most of them (`any_word`, `words_matched`, `need`): docs/search.md, "Text".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from catalogue.models import synonym_term
from catalogue.sql import Sql, join

SEARCH_CONFIG = "english_unaccent"  # the text search configuration: English stems, unaccented

# A quoted phrase (its closing quote optional, as websearch_to_tsquery allows), or a word.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Words the reader corrects: letters only, five to forty (levenshtein() takes at most 255).
_CORRECTABLE = re.compile(r"^[^\W\d_]{5,40}$")
# A query of more clauses than this is not widened: each widened match counts every clause, so
# a long query ("support support support …") would make each row cost as many tests.
MAX_WIDENED_CLAUSES = 10
# Up to this many clauses, "at least half of them" is one tsquery (any combination of enough
# clauses), which the GIN index answers; beyond, every entry with any clause is counted.
MAX_COMBINED_CLAUSES = 6
_LONGEST_GRAM = 3


@dataclass(frozen=True)
class Term:
    """A word or quoted phrase as typed, and where it is in the query."""

    text: str
    start: int
    end: int
    quoted: bool = False

    @property
    def key(self) -> str:
        return synonym_term(self.text)


@dataclass
class Clause:
    """One thing a strict match needs: any of its alternatives (words or phrases)."""

    alternatives: list[str]
    kept: bool = True  # whether full-text search keeps any of it (not only stop words)


@dataclass
class Reading:
    """A text query as searched."""

    clauses: list[Clause]
    excluded: list[str]
    corrected_q: str | None  # the query with its corrections, when there are any

    @property
    def counted(self) -> list[Clause]:
        """The clauses a match is counted on (stop words aside)."""
        return [clause for clause in self.clauses if clause.kept]

    @property
    def widens(self) -> bool:
        """Whether a query that nothing matches in full may be widened to most of its words."""
        return 2 <= len(self.counted) <= MAX_WIDENED_CLAUSES

    @property
    def need(self) -> int:
        """How many of its words a widened match must have: at least half."""
        return max(1, math.ceil(len(self.counted) / 2))

    def clause_sql(self, clause: Clause) -> Sql:
        alternatives = [Sql(_PHRASE, (text,)) for text in clause.alternatives]
        return Sql("(") + join(" || ", alternatives) + Sql(")")

    def _without(self) -> list[Sql]:
        return [Sql(f"!!{_PHRASE}", (text,)) for text in self.excluded]

    def all_words(self) -> Sql:
        """The tsquery of every clause (and none of the excluded words)."""
        parts = [self.clause_sql(clause) for clause in self.clauses] + self._without()
        return Sql("(") + join(" && ", parts or [Sql("''::tsquery")]) + Sql(")")

    def any_word(self) -> Sql:
        """The tsquery of any counted clause (and none of the excluded words)."""
        either = Sql("(") + join(" || ", [self.clause_sql(c) for c in self.counted]) + Sql(")")
        return Sql("(") + join(" && ", [either, *self._without()]) + Sql(")")

    def enough_words(self) -> Sql:
        """The tsquery of at least `need` counted clauses (and none of the excluded words): the
        OR of every combination of `need` of them, so that the index finds only entries that
        have enough, however common one of the words is. For longer queries, any clause."""
        counted = self.counted
        if len(counted) > MAX_COMBINED_CLAUSES:
            return self.any_word()
        either = join(
            " || ",
            [
                Sql("(") + join(" && ", [self.clause_sql(c) for c in chosen]) + Sql(")")
                for chosen in combinations(counted, self.need)
            ],
        )
        return Sql("(") + join(" && ", [Sql("(") + either + Sql(")"), *self._without()]) + Sql(")")

    def highlighted(self) -> Sql:
        """The tsquery whose words are marked in results: any clause's."""
        parts = [self.clause_sql(clause) for clause in self.clauses]
        return Sql("(") + join(" || ", parts or [Sql("''::tsquery")]) + Sql(")")

    def words_matched(self, vector: str) -> Sql:
        """How many counted clauses the search vector `vector` matches."""
        return join(
            " + ",
            [Sql(f"({vector} @@ ") + self.clause_sql(c) + Sql(")::int") for c in self.counted],
        )


_PHRASE = f"phraseto_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"


def parse(q: str) -> tuple[list[list[Term]], list[str]]:
    """The query's clauses (each its terms as typed: several when joined by `or`) and its
    excluded words and phrases, as websearch_to_tsquery reads them."""
    clauses: list[list[Term]] = []
    excluded: list[str] = []
    either = False
    for match in _TOKEN.finditer(q):
        minus, phrase, word = match.groups()
        if phrase is not None:
            if minus:
                excluded.append(phrase)
                either = False
                continue
            term = Term(phrase, match.start(2), match.start(2) + len(phrase), quoted=True)
        elif word.lower() == "or":
            either = bool(clauses)
            continue
        elif word.startswith("-"):
            if word.strip("-"):
                excluded.append(word.lstrip("-"))
            either = False
            continue
        else:
            term = Term(word, match.start(3), match.end(3))
        if not term.key:
            continue
        if either:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        either = False
    return clauses, excluded


def _grams(clauses: list[list[Term]]) -> list[str]:
    """Two and three words typed next to each other, each a clause of its own, unquoted; and a
    hyphenated word with spaces ("home-start" → "home start")."""
    grams: list[str] = []
    for start in range(len(clauses)):
        for size in range(2, _LONGEST_GRAM + 1):
            run = clauses[start : start + size]
            if len(run) == size and all(len(c) == 1 and not c[0].quoted for c in run):
                grams.append(" ".join(c[0].key for c in run))
    for clause in clauses:
        for term in clause:
            if "-" in term.key.strip("-"):
                grams.append(term.key.replace("-", " "))
    return list(dict.fromkeys(grams))


# One statement: every term's standing, corrections, synonyms and joined words. Rows are
# (kind, text, flag, word, words).
_READING_SQL = f"""
WITH typed AS (
    SELECT DISTINCT t FROM unnest(%(terms)s::text[]) t
), term AS (
    SELECT t,
           numnode(phraseto_tsquery('{SEARCH_CONFIG}'::regconfig, t)) > 0 AS kept,
           EXISTS (SELECT 1 FROM catalogue_searchentry e
                    WHERE e.search_vector @@ phraseto_tsquery('{SEARCH_CONFIG}'::regconfig, t))
               AS found
      FROM typed
), unknown AS (
    SELECT t FROM term
     WHERE %(correct)s AND kept AND NOT found AND t = ANY(%(correctable)s)
       AND NOT EXISTS (SELECT 1 FROM catalogue_synonym s WHERE s.terms @> ARRAY[t]::varchar[])
), fix AS (
    SELECT unknown.t, best.word, best.distance
      FROM unknown CROSS JOIN LATERAL (
          SELECT c.word, levenshtein(replace(c.word, '-', ''), lower(unaccent(unknown.t)))
                     AS distance
            FROM (
              (SELECT w.word, w.entries FROM catalogue_word w
                ORDER BY w.word <-> lower(unaccent(unknown.t)) LIMIT 20)
              UNION
              (SELECT w.word, w.entries FROM catalogue_word w
                WHERE replace(w.word, '-', '') = lower(unaccent(unknown.t)))
          ) c
           WHERE levenshtein_less_equal(replace(c.word, '-', ''), lower(unaccent(unknown.t)),
                                        CASE WHEN length(unknown.t) >= 9 THEN 2 ELSE 1 END)
                 <= CASE WHEN length(unknown.t) >= 9 THEN 2 ELSE 1 END
             AND numnode(plainto_tsquery('{SEARCH_CONFIG}'::regconfig, c.word)) > 0
           ORDER BY 2, c.entries DESC, c.word
           LIMIT 1
      ) best
), split AS (
    -- A word typed joined that the catalogue writes as two ("homestart": "home start").
    SELECT DISTINCT ON (unknown.t) unknown.t,
           left(unknown.t, n) || ' ' || substr(unknown.t, n + 1) AS phrase
      FROM unknown, generate_series(3, length(unknown.t) - 3) n,
           catalogue_word head, catalogue_word tail
     WHERE head.word = lower(unaccent(left(unknown.t, n)))
       AND tail.word = lower(unaccent(substr(unknown.t, n + 1)))
     ORDER BY unknown.t, least(head.entries, tail.entries) DESC, n
), joined AS (
    SELECT g, w.word FROM unnest(%(grams)s::text[]) g
      JOIN catalogue_word w ON replace(w.word, '-', '') = replace(g, ' ', '')
)
SELECT 'term', t, kept, NULL, NULL::text[] FROM term
UNION ALL SELECT 'fix', t, distance = 0, word, NULL FROM fix
UNION ALL SELECT 'split', t, NULL, phrase, NULL FROM split
UNION ALL SELECT 'joined', g, NULL, word, NULL FROM joined
UNION ALL SELECT 'synonyms', NULL, NULL, NULL, s.terms FROM catalogue_synonym s
 WHERE s.terms && (%(terms)s::varchar[] || %(grams)s::varchar[]
                   || ARRAY(SELECT word FROM fix)::varchar[]
                   || ARRAY(SELECT phrase FROM split)::varchar[])
"""


@dataclass
class _Answers:
    """What the reading statement found out about the query's words."""

    kept: dict[str, bool] = field(default_factory=dict)  # not only stop words
    fixes: dict[str, str] = field(default_factory=dict)  # misspelt word → catalogue word(s)
    joined: dict[str, list[str]] = field(default_factory=dict)  # words typed apart → one word
    same: dict[str, list[str]] = field(default_factory=dict)  # term → its synonyms

    @classmethod
    def of(cls, rows: list[tuple[Any, ...]]) -> _Answers:
        answers = cls()
        hyphenated: set[str] = set()  # words the catalogue writes with hyphens ("home-start")
        splits: dict[str, str] = {}
        for kind, text, flag, word, group in rows:
            if kind == "term":
                answers.kept[text] = flag
            elif kind == "fix":
                answers.fixes[text] = word
                if flag:
                    hyphenated.add(text)
            elif kind == "split":
                splits[text] = word
            elif kind == "joined":
                answers.joined.setdefault(text, []).append(word)
            else:
                for member in group:
                    answers.same.setdefault(member, []).extend(t for t in group if t != member)
        # A joined word the catalogue hyphenates, then one it writes as two words, then the
        # nearest word within the typo budget.
        for text, phrase in splits.items():
            if text not in hyphenated:
                answers.fixes[text] = phrase
        return answers

    def alternatives(self, *texts: str) -> list[str]:
        """The texts, their synonyms and the words they make joined; a hyphenated word also as
        its parts, so that "home-start" finds "Home Start"."""
        found = list(texts)
        for text in texts:
            for form in (text, text.replace("-", " ")):
                found += [*self.same.get(form, []), *self.joined.get(form, [])]
        found += [text.replace("-", " ") for text in found if "-" in text.strip("-")]
        return list(dict.fromkeys(found))

    def phrase_at(self, parsed: list[list[Term]], position: int) -> int:
        """How many words from `position` form a phrase with synonyms or a joined word (longest
        first), or 1."""
        for size in range(_LONGEST_GRAM, 1, -1):
            run = parsed[position : position + size]
            if len(run) == size and all(len(c) == 1 and not c[0].quoted for c in run):
                gram = " ".join(c[0].key for c in run)
                if gram in self.same or gram in self.joined:
                    return size
        return 1


def read(q: str, connection: BaseDatabaseWrapper, *, correct: bool = True) -> Reading:
    """Read a text query: its clauses with their alternatives, its exclusions and corrections.
    One statement, on `connection` (the database the search reads)."""
    parsed, excluded = parse(q)
    terms = [term for clause in parsed for term in clause]
    with connection.cursor() as cursor:
        cursor.execute(
            _READING_SQL,
            {
                "terms": list(dict.fromkeys(term.key for term in terms)),
                "grams": _grams(parsed),
                "correct": correct,
                "correctable": [t.key for t in terms if not t.quoted and _CORRECTABLE.match(t.key)],
            },
        )
        answers = _Answers.of(cursor.fetchall())
    fixes = answers.fixes
    return Reading(
        clauses=_clauses(parsed, answers),
        excluded=excluded,
        corrected_q=_corrected(q, parsed, fixes) if fixes else None,
    )


def _clauses(parsed: list[list[Term]], answers: _Answers) -> list[Clause]:
    """The clauses searched: words typed together that make a phrase with synonyms or a joined
    word become one clause; every other clause is its terms (corrected), with their synonyms.
    A clause typed twice is searched once ("care care" asks for care once)."""
    clauses: dict[tuple[str, ...], Clause] = {}
    position = 0
    while position < len(parsed):
        size = answers.phrase_at(parsed, position)
        if size > 1:
            run = [c[0] for c in parsed[position : position + size]]
            clause = Clause(answers.alternatives(" ".join(term.key for term in run)))
        else:
            group = parsed[position]
            texts = [answers.fixes.get(term.key, term.key) for term in group]
            clause = Clause(answers.alternatives(*texts))
            clause.kept = any(answers.kept.get(t.key, True) or t.key in answers.same for t in group)
        clauses.setdefault(tuple(clause.alternatives), clause)
        position += size
    return list(clauses.values())


def _corrected(q: str, parsed: list[list[Term]], fixes: dict[str, str]) -> str:
    """The query as typed, with each corrected word replaced."""
    spans = sorted(
        (term.start, term.end, fixes[term.key])
        for clause in parsed
        for term in clause
        if term.key in fixes
    )
    text, last = "", 0
    for start, end, word in spans:
        text += q[last:start] + word
        last = end
    return text + q[last:]

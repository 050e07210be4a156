"""CSV downloads streamed row by row, safe to open in a spreadsheet, and the rows of a long
ordered query read a chunk at a time."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import StreamingHttpResponse

from kernel.text import Echo, csv_cell

M = TypeVar("M", bound=Model)


def csv_download(
    header: Sequence[str], rows: Iterable[Iterable[object]], filename: str
) -> StreamingHttpResponse:
    """A streamed CSV attachment: the header, then each row with every cell made safe
    (`csv_cell`). The first row is read before the response is made, so a database that cannot
    be reached is a 503 like on any page (config/faults.py), not a 200 that breaks after its
    header; once the download has started, a failure can only cut it short."""
    remaining = iter(rows)
    first = next(remaining, None)
    writer = csv.writer(Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        if first is not None:
            yield writer.writerow([csv_cell(value) for value in first])
            for row in remaining:
                yield writer.writerow([csv_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def in_chunks(queryset: QuerySet[M], chunk_size: int = 500) -> Iterator[M]:
    """The rows of an ordered queryset, `chunk_size` at a time: its ids first (one narrow
    query), then each chunk by id, in the queryset's order. No cursor stays open between
    chunks, so a download its reader abandons holds nothing on the database."""
    return by_id(list(queryset.values_list("pk", flat=True)), queryset, chunk_size)


def by_id(ids: Sequence[object], queryset: QuerySet[M], chunk_size: int) -> Iterator[M]:
    """The rows of `queryset` with these ids, in the ids' order, read `chunk_size` at a time
    (with whatever the queryset selects and prefetches); an id no longer there is passed over."""
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        found = queryset.in_bulk(chunk)
        yield from (found[pk] for pk in chunk if pk in found)

"""CSV downloads streamed row by row, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

from kernel.text import Echo, csv_cell


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

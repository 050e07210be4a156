"""Paging, shared by the search and every list of the API: `page` and `page_size`, bounded."""

from __future__ import annotations

from django import forms

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Pages beyond this are refused (a 400) rather than sent to PostgreSQL as an OFFSET that does
# not fit in a bigint.
MAX_PAGE = 10**9


class PagingForm(forms.Form):
    """`page` and `page_size`, for the search and for every list of the API."""

    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

"""Limit/offset pages with a total count and links to the neighbouring pages."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Far beyond any list relaydesk holds, and within the databases' integers.
MAX_OFFSET = 1_000_000_000


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    offset: int = Field(
        0, ge=0, le=MAX_OFFSET, description="Items to skip from the start of the list."
    )


class PageBase(Schema):
    """Fields every list response has beside ``items``."""

    count: int = Field(description="Items in the whole list, across all pages.")
    limit: int
    offset: int
    next: str | None = Field(description="URL of the next page, or null on the last page.")
    previous: str | None = Field(description="URL of the previous page, or null on the first.")


def paginate(request: HttpRequest, queryset: QuerySet[Any], params: PageParams) -> dict[str, Any]:
    """Cut one page out of ``queryset``, which must already have a total ordering."""
    count = queryset.count()
    items = list(queryset[params.offset : params.offset + params.limit])
    has_next = params.offset + len(items) < count
    has_previous = params.offset > 0
    return {
        "items": items,
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "next": _page_url(request, params.offset + params.limit) if has_next else None,
        "previous": (
            _page_url(request, max(params.offset - params.limit, 0)) if has_previous else None
        ),
    }


def _page_url(request: HttpRequest, offset: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

"""Page-number pagination shared by the list endpoints: ``?page=`` and ``?page_size=``."""

from collections.abc import Sequence
from math import ceil
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PAGE_SIZE = 100


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="The page to return, from 1.")
    page_size: int | None = Field(
        None,
        ge=1,
        le=MAX_PAGE_SIZE,
        description="Items per page, at most 100; COMPTOIR_PAGE_SIZE (24) when left out.",
    )


class PageInfo(Schema):
    count: int = Field(description="Items on all pages together.")
    page: int
    page_size: int
    pages: int = Field(description="Number of pages; 0 when there is no item.")


def page_of(items: QuerySet | Sequence, query: PageQuery) -> tuple[list[Any], dict[str, int]]:
    """The items of the requested page, and the numbers a client needs to ask for the others.

    ``items`` must already be in a stable order, so that pages never overlap.
    """
    page_size = query.page_size or settings.COMPTOIR_PAGE_SIZE
    count = items.count() if isinstance(items, QuerySet) else len(items)
    start = (query.page - 1) * page_size
    info = {
        "count": count,
        "page": query.page,
        "page_size": page_size,
        "pages": ceil(count / page_size),
    }
    if start >= count:
        # Past the last page: nothing to read, and an offset beyond what the database's
        # integers hold would make it fail.
        return [], info
    return list(items[start : start + page_size]), info

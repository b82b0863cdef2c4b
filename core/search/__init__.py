"""Haat's embedded product search: no server, inside the app's own database."""

from core.search.embedded import EmbeddedSearch
from core.search.schema import (
    ENGINE_TABLES,
    SearchDocument,
    SearchFacet,
    SearchTerm,
    SearchText,
    include_object,
    is_engine_table,
)

__all__ = [
    "ENGINE_TABLES",
    "EmbeddedSearch",
    "SearchDocument",
    "SearchFacet",
    "SearchTerm",
    "SearchText",
    "include_object",
    "is_engine_table",
]

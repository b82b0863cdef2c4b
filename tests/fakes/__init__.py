"""Local fakes of external services, for tests that must run without those services.

Each fake says in its own docstring what it imitates, which behaviours it keeps and
where it stops. They are test tools only: nothing in Haat imports them.
"""

from .meilisearch_fake import FakeMeilisearch

__all__ = ["FakeMeilisearch"]

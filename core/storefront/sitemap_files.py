"""Built sitemaps on disk: one copy per store and content version, shared by workers.

Layout under the root (``HAAT_SITEMAP_DIR``, by default ``<instance dir>/sitemaps``)::

    <store id>/c<content version>-p<plugins version>-l<URLs per file>-<built at, ns>/
        sitemap.xml  sitemap-1.xml ...
    <store id>/.lock     held (flock) by the one process building this store's sitemap
    <store id>/.queued   a rebuild job is queued or running

A copy is written to a temporary folder and renamed into place, so a reader sees a
whole copy or none. The two newest copies are kept (a reader that picked the older one
a moment ago can still read it); older ones are deleted. Store ids are never reused
(``sqlite_autoincrement`` / sequences), so a folder can only hold its own store's files.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"^c(\d+)-p(\d+)-l(\d+)-(\d+)$")
#: How long a "rebuild queued" mark holds before another request may queue again (a
#: job that died without clearing it must not stop rebuilds for good).
QUEUED_FOR = 15 * 60
KEEP = 2


@dataclass(frozen=True, slots=True)
class Built:
    """One built copy of a store's sitemap."""

    folder: Path
    content_version: int
    plugins_version: int
    limit: int
    built_ns: int

    def covers(self, content_version: int, plugins_version: int) -> bool:
        """Whether this copy is at least as new as the given versions."""
        return (self.content_version >= content_version
                and self.plugins_version >= plugins_version)

    def age(self) -> float:
        """Seconds since it was built."""
        return max(0.0, (time.time_ns() - self.built_ns) / 1e9)

    def read(self, name: str) -> bytes | None:
        """One file of the copy (``sitemap.xml``, ``sitemap-2.xml``), or ``None``."""
        try:
            return (self.folder / name).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None


class BuildInProgress(RuntimeError):
    """Another request or job is building this store's sitemap right now."""


class SitemapFiles:
    """The built sitemaps of every store under ``root``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _folder(self, store_id: int) -> Path:
        folder = self.root / str(int(store_id))
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def newest(self, store_id: int, limit: int) -> Built | None:
        """The newest complete copy built with ``limit`` URLs per file, or ``None``."""
        found = []
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.root / str(int(store_id))):
                match = _NAME.match(entry.name)
                if match and int(match[3]) == limit:
                    content, plugins, lim, stamp = (int(part) for part in match.groups())
                    found.append(Built(Path(entry.path), content, plugins, lim, stamp))
        return max(found, key=lambda b: (b.content_version, b.plugins_version, b.built_ns),
                   default=None)

    def write(self, store_id: int, content_version: int, plugins_version: int, limit: int,
              files: Mapping[str, bytes]) -> Built:
        """Store a new copy atomically, then delete all but the newest ``KEEP``."""
        folder = self._folder(store_id)
        temporary = folder / f".build-{uuid.uuid4().hex}"
        temporary.mkdir()
        try:
            for name, body in files.items():
                (temporary / name).write_bytes(body)
            stamp = time.time_ns()
            final = folder / f"c{content_version}-p{plugins_version}-l{limit}-{stamp}"
            temporary.rename(final)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        self._prune(folder)
        return Built(final, content_version, plugins_version, limit, stamp)

    def _prune(self, folder: Path) -> None:
        copies = []
        for entry in os.scandir(folder):
            match = _NAME.match(entry.name)
            if match:
                content, plugins, _limit, stamp = (int(part) for part in match.groups())
                copies.append(((content, plugins, stamp), entry.path))
        for _key, path in sorted(copies, reverse=True)[KEEP:]:
            shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def building(self, store_id: int, *, wait: bool = True) -> Iterator[None]:
        """Hold the store's build lock. If another process or thread holds it, wait until
        it is done (a dead builder's lock goes with it), or with ``wait=False`` raise
        :class:`BuildInProgress` at once."""
        with open(self._folder(store_id) / ".lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise BuildInProgress(store_id) from None
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def claim_rebuild(self, store_id: int) -> bool:
        """Mark a rebuild as queued; ``False`` when one already is (so only one request
        queues it, however many ask for a stale sitemap meanwhile)."""
        mark = self._folder(store_id) / ".queued"
        with contextlib.suppress(FileNotFoundError):
            if time.time() - mark.stat().st_mtime > QUEUED_FOR:
                mark.unlink(missing_ok=True)
        try:
            os.close(os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except FileExistsError:
            return False
        return True

    def release_rebuild(self, store_id: int) -> None:
        """Clear the "rebuild queued" mark (the job is done, or could not be queued)."""
        (self._folder(store_id) / ".queued").unlink(missing_ok=True)

"""Where uploaded and generated files live. Every key is inside its store's folder.

The default backend writes to local disk under ``HAAT_MEDIA_DIR``; an S3-compatible
backend can implement the same four methods later.

Keys under ``private/`` (see :func:`private_key`) are kept in the store's folder but
never served: an upload waiting for its job is there, still carrying the EXIF data
(GPS position, camera serial) that the clean copies leave out.
"""

from __future__ import annotations

import shutil
from pathlib import Path, PurePosixPath
from typing import Protocol

from flask import current_app


class Storage(Protocol):
    """What core needs from a file store."""

    def save(self, tenant_id: int, key: str, data: bytes) -> str: ...
    def path(self, tenant_id: int, key: str) -> Path: ...
    def delete(self, tenant_id: int, key: str) -> None: ...
    def delete_tenant(self, tenant_id: int) -> None: ...


#: The folder of files that are stored but never served at ``/media/``.
PRIVATE_PREFIX = "private/"


def private_key(key: str) -> str:
    """Where the raw upload for ``key`` waits: ``products/a.jpg`` ->
    ``private/products/a.jpg.upload``."""
    return f"{PRIVATE_PREFIX}{key}.upload"


def is_private(key: str) -> bool:
    """True for keys that must never be served (:data:`PRIVATE_PREFIX`)."""
    return PurePosixPath(key).parts[:1] == (PRIVATE_PREFIX.rstrip("/"),)


class UnsafeKey(ValueError):
    """A storage key tried to leave its store's folder."""


class LocalStorage:
    """Files on local disk: ``<root>/<tenant_id>/<key>``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def tenant_root(self, tenant_id: int) -> Path:
        return self.root / str(int(tenant_id))

    def path(self, tenant_id: int, key: str) -> Path:
        """The file for ``key``; refuses absolute keys and ``..`` segments."""
        parts = PurePosixPath(key).parts
        if not parts or PurePosixPath(key).is_absolute() or ".." in parts:
            raise UnsafeKey(key)
        return self.tenant_root(tenant_id).joinpath(*parts)

    def save(self, tenant_id: int, key: str, data: bytes) -> str:
        target = self.path(tenant_id, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)
        return key

    def delete(self, tenant_id: int, key: str) -> None:
        self.path(tenant_id, key).unlink(missing_ok=True)

    def delete_tenant(self, tenant_id: int) -> None:
        shutil.rmtree(self.tenant_root(tenant_id), ignore_errors=True)


def get_storage() -> Storage:
    """The storage backend of the current app."""
    return LocalStorage(current_app.config["HAAT_MEDIA_DIR"])

"""Encryption at rest for plugin secrets (API keys, passwords).

A store's secret settings for one plugin are stored as a single Fernet token holding a
JSON object ``{field: plaintext}``. Keys come from ``HAAT_SECRETS_KEYS``: a
comma-separated list of Fernet keys, the first of which encrypts and all of which
decrypt, so a key can be rotated by putting the new key first, re-encrypting with
:meth:`SecretBox.rotate`, and then removing the old key.

Nothing in this module puts a key, a token or a plaintext into a message or a repr.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "SecretBox",
    "SecretsMisconfigured",
    "SecretsUnreadable",
    "keys_from_config",
    "mask",
]

_GENERATE_HINT = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
_MASK = "••••"


class SecretsMisconfigured(RuntimeError):
    """The encryption keys for plugin secrets are missing or invalid."""


class SecretsUnreadable(RuntimeError):
    """Stored plugin secrets cannot be decrypted with the configured keys."""


_UNREADABLE = (
    "Stored plugin secrets cannot be decrypted with the configured keys. Check "
    "HAAT_SECRETS_KEYS: when rotating, keep the old key listed after the new one "
    "(without HAAT_SECRETS_KEYS, development derives the key from SECRET_KEY, so a "
    "changed SECRET_KEY also makes old secrets unreadable)."
)


class SecretBox:
    """Encrypts and decrypts a plugin's secret settings with a list of Fernet keys.

    The first key encrypts; every key can decrypt.
    """

    __slots__ = ("_fernet",)

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        """Build the box; raises :class:`SecretsMisconfigured` for no or invalid keys."""
        if isinstance(keys, (str, bytes)) or not keys:
            raise SecretsMisconfigured(
                "SecretBox needs a non-empty list of Fernet keys (HAAT_SECRETS_KEYS)."
            )
        self._fernet = MultiFernet([_fernet(key, position) for position, key in enumerate(keys)])

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SecretBox:
        """The box for an app configuration (see :func:`keys_from_config`)."""
        return cls(keys_from_config(config))

    def __repr__(self) -> str:
        return "<SecretBox>"

    def __reduce__(self) -> Any:
        # Pickling would write the keys wherever the pickle goes (caches, job queues).
        raise TypeError("SecretBox cannot be pickled")

    def encrypt(self, values: Mapping[str, str]) -> str:
        """Encrypt ``{field: plaintext}`` into one token; an empty mapping gives ``""``."""
        if not values:
            return ""
        for name, value in values.items():
            if not isinstance(name, str) or not isinstance(value, str):
                # Only the field name goes in the message, never the value.
                raise TypeError(f"secret {name!r} must be a str mapped to a str")
        payload = json.dumps(dict(values), sort_keys=True, separators=(",", ":"))
        return self._fernet.encrypt(payload.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> dict[str, str]:
        """Decrypt a token made by :meth:`encrypt`; ``""`` gives ``{}``.

        Raises :class:`SecretsUnreadable` when no configured key opens the token.
        """
        if not token:
            return {}
        try:
            payload = self._fernet.decrypt(_as_bytes(token))
            values = json.loads(payload.decode("utf-8"))
        except (InvalidToken, ValueError, TypeError):
            # ``from None``: a JSONDecodeError would carry the plaintext in ``.doc``.
            raise SecretsUnreadable(_UNREADABLE) from None
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise SecretsUnreadable(_UNREADABLE)
        return values

    def rotate(self, token: str) -> str:
        """Re-encrypt ``token`` with the current (first) key; ``""`` stays ``""``."""
        if not token:
            return ""
        try:
            return self._fernet.rotate(_as_bytes(token)).decode("ascii")
        except (InvalidToken, ValueError, TypeError):
            raise SecretsUnreadable(_UNREADABLE) from None


def keys_from_config(config: Mapping[str, Any]) -> list[str]:
    """The Fernet keys for plugin secrets, current key first.

    Reads ``HAAT_SECRETS_KEYS`` (comma-separated, or a list). When it is empty outside
    production, one development key is derived from ``SECRET_KEY`` with HKDF-SHA256 so
    that a development database stays readable across restarts. In production an empty
    or invalid setting raises :class:`SecretsMisconfigured`.
    """
    raw = config.get("HAAT_SECRETS_KEYS") or ""
    parts = raw.split(",") if isinstance(raw, str) else [str(k) for k in raw]
    keys = [part.strip() for part in parts if part.strip()]
    if keys:
        for position, key in enumerate(keys):
            _fernet(key, position)
        return keys
    if config.get("HAAT_ENV", "development") == "production":
        raise SecretsMisconfigured(
            "HAAT_ENV=production needs HAAT_SECRETS_KEYS: a comma-separated list of Fernet "
            f"keys, current key first. Generate one with: {_GENERATE_HINT}"
        )
    secret_key = config.get("SECRET_KEY") or ""
    if not secret_key:
        raise SecretsMisconfigured(
            "Set HAAT_SECRETS_KEYS or SECRET_KEY to encrypt plugin secrets. "
            f"Generate a key with: {_GENERATE_HINT}"
        )
    return [_derive_development_key(secret_key)]


def mask(value: str) -> str:
    """Show that a secret is set without showing it: ``"••••"`` plus its last 4 characters.

    ``""`` stays ``""``; values of 4 characters or fewer show only ``"••••"``.
    """
    if not value:
        return ""
    if len(value) <= 4:
        return _MASK
    return _MASK + value[-4:]


def _derive_development_key(secret_key: str | bytes) -> str:
    material = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"haat-plugin-secrets"
    ).derive(material)
    return base64.urlsafe_b64encode(derived).decode("ascii")


def _fernet(key: str | bytes, position: int) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        # Say which entry is wrong, never what it contains.
        raise SecretsMisconfigured(
            f"HAAT_SECRETS_KEYS entry {position + 1} is not a valid Fernet key "
            f"(32 url-safe base64-encoded bytes). Generate one with: {_GENERATE_HINT}"
        ) from None


def _as_bytes(token: str | bytes) -> bytes:
    return token.encode("ascii") if isinstance(token, str) else token

"""Fingerprinted static files, served by WhiteNoise with year-long immutable caching.

At start-up every file of every theme's ``static/`` folder (and ``core/static``) is
copied once to ``HAAT_ASSETS_DIR`` under a name that carries a hash of its content
(``themes/default/theme.3f9a1c0b2d4e.css``), with gzip (and Brotli, when installed)
copies beside it. WhiteNoise serves that folder at ``/assets/`` in front of Flask,
so a changed file gets a new URL and browsers may cache every URL forever.
Copies are written atomically and named by content, so several workers starting
at once write the same bytes and never a torn file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from flask import Flask, g
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from core.theming.registry import DEFAULT_THEME, available_themes

URL_PREFIX = "/assets/"
ONE_YEAR = 365 * 24 * 3600
_DIGEST_LENGTH = 12


class _AssetServer(WhiteNoise):
    """WhiteNoise with a one-year lifetime for immutable files (its own default is ten)."""

    FOREVER = ONE_YEAR


class AssetNotFound(LookupError):
    """A template asked for a static file that no theme has."""


def _hashed_name(relative: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:_DIGEST_LENGTH]
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"


def _write_once(target: Path, data: bytes) -> bool:
    if target.is_file():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target)
    return True


class AssetManifest:
    """Maps logical names (``themes/default/theme.css``) to fingerprinted URLs."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.urls: dict[str, str] = {}
        self._compressor = Compressor(quiet=True)

    def collect(self, sources: Mapping[str, Path]) -> None:
        """Copy every file under each source folder; ``sources`` maps prefix -> folder."""
        for prefix, folder in sources.items():
            for path in _files(folder):
                relative = f"{prefix}/{path.relative_to(folder).as_posix()}"
                data = path.read_bytes()
                hashed = _hashed_name(relative, data)
                target = self.output / hashed
                if _write_once(target, data) and self._compressor.should_compress(target.name):
                    self._compressor.compress(str(target))
                self.urls[relative] = URL_PREFIX + hashed

    def url(self, logical: str) -> str:
        try:
            return self.urls[logical]
        except KeyError:
            raise AssetNotFound(logical) from None


def _files(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return ()
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def theme_asset(filename: str) -> str:
    """``{{ theme_asset('theme.css') }}``: the URL of a static file of the store's theme,
    falling back to the default theme and then to ``core/static``."""
    from flask import current_app

    manifest: AssetManifest = current_app.extensions["haat_assets"]
    theme = getattr(g.get("theme"), "name", DEFAULT_THEME)
    for logical in (f"themes/{theme}/{filename}", f"themes/{DEFAULT_THEME}/{filename}",
                    f"core/{filename}"):
        if logical in manifest.urls:
            return manifest.urls[logical]
    raise AssetNotFound(filename)


def core_asset(filename: str) -> str:
    """``{{ core_asset('admin/product_editor.js') }}``: the fingerprinted URL of a file of
    ``core/static`` (the admin's own scripts, and what they vendor), cached for a year
    and compressed like the themes' files."""
    from flask import current_app

    manifest: AssetManifest = current_app.extensions["haat_assets"]
    return manifest.url(f"core/{filename}")


def init_app(app: Flask) -> None:
    """Collect the assets and put WhiteNoise in front of the app."""
    output = Path(app.config["HAAT_ASSETS_DIR"])
    manifest = AssetManifest(output)
    sources = {f"themes/{name}": theme.static_dir for name, theme in available_themes().items()}
    sources["core"] = Path(app.root_path) / "static"
    manifest.collect(sources)
    app.extensions["haat_assets"] = manifest
    app.add_template_global(theme_asset, "theme_asset")
    app.add_template_global(core_asset, "core_asset")
    app.wsgi_app = _AssetServer(  # type: ignore[method-assign]
        app.wsgi_app, root=str(output), prefix=URL_PREFIX, max_age=ONE_YEAR,
        immutable_file_test=lambda _path, _url: True, allow_all_origins=False,
    )

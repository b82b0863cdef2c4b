"""Compressed HTML and JSON responses (Flask-Compress: Brotli, gzip or zstd, by what the
browser accepts). Static files are compressed ahead of time by :mod:`core.web.assets`."""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

compress = Compress()


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "application/json",
                                                 "application/xml", "text/plain"])
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 4)  # fast enough to do per request
    compress.init_app(app)

"""Configuration safety and the health endpoint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import client_for
from core import create_app
from core.config import DEV_SECRET_KEY, InsecureConfiguration, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_the_development_secret_key():
    with pytest.raises(InsecureConfiguration, match="SECRET_KEY"):
        load_config({"HAAT_ENV": "production", "SECRET_KEY": DEV_SECRET_KEY})
    with pytest.raises(InsecureConfiguration):
        load_config({"HAAT_ENV": "production", "SECRET_KEY": "short"})
    config = load_config({"HAAT_ENV": "production", "SECRET_KEY": "x" * 64})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_DOMAIN"] is None


def test_gunicorn_entry_point_refuses_to_start_in_production_on_dev_secret(tmp_path):
    env = {**os.environ, "HAAT_ENV": "production", "HAAT_INSTANCE_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "InsecureConfiguration" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_database_urls_use_psycopg3():
    for url in ("postgres://u@h/db", "postgresql://u@h/db"):
        assert load_config({"DATABASE_URL": url})["SQLALCHEMY_DATABASE_URI"] == (
            "postgresql+psycopg://u@h/db")


def test_default_database_is_sqlite_under_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HAAT_INSTANCE_DIR", str(tmp_path))
    assert load_config()["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'haat.db'}"


def test_the_page_cache_is_tuned_from_the_environment(monkeypatch):
    monkeypatch.setenv("HAAT_PAGE_CACHE_SIZE", "0")
    monkeypatch.setenv("HAAT_PAGE_CACHE_TTL", "15")
    config = load_config()
    assert (config["HAAT_PAGE_CACHE_SIZE"], config["HAAT_PAGE_CACHE_TTL"]) == (0, 15)
    monkeypatch.delenv("HAAT_PAGE_CACHE_SIZE")
    assert load_config()["HAAT_PAGE_CACHE_SIZE"] == 2000


def test_healthz_reports_a_reachable_database(app):
    response = client_for(app, "localhost").get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_reports_an_unreachable_database_as_503(tmp_path):
    broken = create_app({
        "TESTING": True,
        "HAAT_INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2",
    })
    response = client_for(broken, "anything.example").get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "degraded"
    assert response.json["database"].startswith("error")

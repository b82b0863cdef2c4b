"""``haat demo``: load the three demo stores (skips stores that already exist)."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("demo", help="Create the demo stores (idempotent).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@with_appcontext
def demo_command(quiet: bool) -> None:
    """Load the demo stores and print where to find them."""
    from core.demo.loader import DEMO_PASSWORD, load_demo

    results = load_demo(progress=(lambda _m: None) if quiet else click.echo)
    if quiet:
        return
    domain = current_app.config["HAAT_PLATFORM_DOMAIN"]
    port = os.environ.get("HAAT_BIND", "127.0.0.1:8000").rpartition(":")[2] or "8000"
    for result in results:
        state = f"created, {result.products} products" if result.created else "already there"
        click.echo(f"  {result.slug:<15} {state}")
    click.echo("")
    click.echo(f"Platform:    http://{domain}:{port}/")
    for result in results:
        click.echo(f"Storefront:  http://{result.slug}.{domain}:{port}/")
        click.echo(f"Admin:       http://{result.slug}.{domain}:{port}/admin  "
                   f"(owner@{result.slug}.example / {DEMO_PASSWORD})")

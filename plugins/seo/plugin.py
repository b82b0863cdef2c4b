"""SEO: titles, descriptions, canonical URLs, social cards, JSON-LD, sitemap and robots."""

from __future__ import annotations

from core.sdk import PluginManifest

manifest = PluginManifest(name="seo", title="SEO",
                          description="Search-engine titles, descriptions, structured data "
                                      "and a sitemap, built from your store's own data.")

"""Trust badges: true facts about the store, shown where shoppers decide."""

from __future__ import annotations

from core.sdk import PluginManifest

manifest = PluginManifest(name="trust-badges", title="Trust badges",
                          description="Badges for secure checkout, ways to pay, delivery, "
                                      "returns and contact, shown only when they are true.")

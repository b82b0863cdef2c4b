"""reviews: shoppers' ratings, reviews and photos, review requests after delivery,
moderation, and the customer wall. A first-party plugin that imports only ``core.sdk``.

* ``models``: the plugin's tables; ``aggregates``: each product's precomputed summary;
* ``settings``: the merchant's settings;
* ``plugin``: the manifest and the hooks Haat calls.
"""

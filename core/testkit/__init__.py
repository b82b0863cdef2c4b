"""What the plugin-author fixtures of ``core.testing`` do, one module per job.

``catalog`` makes products the way the admin's product form does, ``coupons`` makes
coupon codes under the admin's rules, ``admin`` signs a test client in to ``/admin`` and
``checkout`` fills in the storefront's checkout form over HTTP. The fixtures in
``core.testing`` are thin wrappers around these and carry the documentation.
"""

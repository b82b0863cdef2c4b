"""Pages the merchant writes: about, contact, shipping and returns policies."""

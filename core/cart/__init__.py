"""Shopping carts: stored on the server per store, found by a cookie token."""

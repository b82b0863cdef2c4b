"""The merchant's admin panel at ``/admin`` on each store's host."""

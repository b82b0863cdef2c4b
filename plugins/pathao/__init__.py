"""Pathao Courier: quotes, bookings, tracking and cash-on-delivery payouts. See docs/pathao.md."""

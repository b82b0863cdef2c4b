"""Delivery updates: the shopper hears about each step of their parcel's journey."""

"""The catalogue: collections and products of a store."""

"""What shoppers see on a store's host."""

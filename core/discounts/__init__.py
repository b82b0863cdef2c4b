"""Discount codes (coupons) that merchants create and shoppers enter at checkout."""

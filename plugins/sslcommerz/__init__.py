"""SSLCommerz: cards, bKash, Nagad, Rocket and internet banking on one hosted page."""

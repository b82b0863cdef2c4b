"""The first-party mobile-wallet (bKash, Nagad, Rocket, Idram) payment plugin (see plugin.py)."""

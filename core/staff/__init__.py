"""Staff accounts: the people who run a store from its admin panel."""

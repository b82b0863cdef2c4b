"""The first-party SSL Wireless SMS plugin: texts to Bangladeshi shoppers (see plugin.py)."""

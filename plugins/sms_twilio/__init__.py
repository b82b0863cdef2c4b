"""The first-party Twilio SMS plugin: text messages through Twilio (see plugin.py)."""

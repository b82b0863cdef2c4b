"""Messages to shoppers: which channel, in which language, sent once, logged.

* :mod:`core.messaging.models`: the message log (one row per message and channel).
* :mod:`core.messaging.phones`: phone numbers in any spelling to E.164.
* :mod:`core.messaging.sms`: SMS parts (GSM 03.38 or UCS-2) and the store's gateway.
* :mod:`core.messaging.texts`: the SMS texts of each event, in the shopper's language.
* :mod:`core.messaging.service`: queueing a store event's messages and delivering
  them from background jobs.
"""

"""Shoppers who come back: passwordless sign-in by a one-time code, and their orders.

* :mod:`core.accounts.models`: one-time codes (hashed; never stored as typed).
* :mod:`core.accounts.codes`: issuing and checking codes: 6 digits, 10 minutes, 5 tries.
* :mod:`core.accounts.identity`: who a phone or email is in this store, and the
  signed-in shopper of this request.
* :mod:`core.accounts.views`: ``/account`` (sign in, the orders, sign out) and
  ``/orders/lookup``.
"""

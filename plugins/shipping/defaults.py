"""The starter rate table for a store that has not written its own yet.

``Field.default`` cannot depend on the store, so the zones field is empty by default and
an empty value means "the starter table for the store's currency". The settings form
shows that table in the box (``ZonesField.to_form``), so what the merchant sees is what
applies, and saving it unchanged stores the same rates. Labels are in English: the
merchant replaces them with their shoppers' words.
"""

from __future__ import annotations

from collections.abc import Mapping

BDT = """\
# Inside Dhaka ৳70, Dhaka suburbs ৳100, outside Dhaka ৳130.
Inside Dhaka: BD / * / Dhaka|ঢাকা|Mirpur|Uttara|Dhanmondi|Gulshan|Banani|Mohammadpur|Motijheel
  Delivery inside Dhaka: 70 (1-2 days)
Dhaka suburbs: BD / * / Savar|সাভার, Keraniganj|কেরানীগঞ্জ, Tongi|টঙ্গী, Gazipur|গাজীপুর, \
Narayanganj|নারায়ণগঞ্জ
  Delivery to Dhaka suburbs: 100 (2-3 days)
Outside Dhaka: BD
  Delivery outside Dhaka: 130 (3-5 days)
"""

AMD = """\
# Yerevan 1000 ֏, the regions (marzer) 2500 ֏.
Yerevan: AM / Yerevan|Երևան|Erevan
  Delivery in Yerevan: 1000 (1-2 days)
Regions: AM
  Delivery to the regions: 2500 (2-4 days)
"""

OTHER = """\
# One flat rate everywhere: change it to your own zones and prices.
Everywhere: *
  Standard shipping: 5 (3-7 days)
"""

STARTERS: Mapping[str, str] = {"BDT": BDT, "AMD": AMD}


def default_zones(currency: str) -> str:
    """The starter zones text for a store whose currency is ``currency``."""
    return STARTERS.get(currency.upper(), OTHER)

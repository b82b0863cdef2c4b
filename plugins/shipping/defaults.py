"""The starter rate table for a store that has not written its own yet.

``Field.default`` cannot depend on the store, so the zones field is empty by default and
an empty value means "the starter table for the store's currency". The settings form
shows that table in the box (``ZonesField.to_form``), so what the merchant sees is what
applies, and saving it unchanged stores the same rates. The delivery labels are in the
store's language where a starter has been written in it (Bengali, Armenian), else English.
"""

from __future__ import annotations

from collections.abc import Mapping

# The places are names Haat's address data knows, so "Dhaka city" takes in every area
# of it and a shopper may write them in any script. Zone names are in the store's
# language where a starter is written in it, because shoppers choosing between zones
# read them; a name without Latin letters gets a short stable id ("zone-1c690f"), which
# only orders and payment plugins' settings keep, and the admin shows by name.
BDT = """\
# Inside Dhaka ৳70, Dhaka suburbs ৳100, outside Dhaka ৳130.
Inside Dhaka: BD / * / Dhaka city
  Delivery inside Dhaka: 70 (1-2 days)
Dhaka suburbs: BD / * / Savar, Keraniganj, Tongi, Gazipur, Narayanganj
  Delivery to Dhaka suburbs: 100 (2-3 days)
Outside Dhaka: BD
  Delivery outside Dhaka: 130 (3-5 days)
"""

BDT_BN = """\
# ঢাকার ভেতরে ৳70, ঢাকার আশেপাশে ৳100, ঢাকার বাইরে ৳130।
ঢাকার ভেতরে: BD / * / ঢাকা মহানগর
  ঢাকার ভেতরে ডেলিভারি: 70 (1-2 days)
ঢাকার আশেপাশে: BD / * / সাভার, কেরানীগঞ্জ, টঙ্গী, গাজীপুর, নারায়ণগঞ্জ
  ঢাকার আশেপাশে ডেলিভারি: 100 (2-3 days)
ঢাকার বাইরে: BD
  ঢাকার বাইরে ডেলিভারি: 130 (3-5 days)
"""

AMD = """\
# Yerevan 1000 ֏, the regions (marzer) 2500 ֏.
Yerevan: AM / Yerevan
  Delivery in Yerevan: 1000 (1-2 days)
Regions: AM
  Delivery to the regions: 2500 (2-4 days)
"""

AMD_HY = """\
# Երևան 1000 ֏, մարզեր 2500 ֏.
Երևան: AM / * / Երևան
  Առաքում Երևանում: 1000 (1-2 days)
Մարզեր: AM
  Առաքում մարզեր: 2500 (2-4 days)
"""

OTHER = """\
# One flat rate everywhere: change it to your own zones and prices.
Everywhere: *
  Standard shipping: 5 (3-7 days)
"""

#: Starter tables by currency, and by currency and language where the delivery labels
#: (which shoppers read) have been written in the store's language.
STARTERS: Mapping[str, str] = {"BDT": BDT, "AMD": AMD, "BDT/bn": BDT_BN, "AMD/hy": AMD_HY}


def default_zones(currency: str, locale: str = "en") -> str:
    """The starter zones text for a store whose currency is ``currency`` and whose
    language is ``locale``."""
    code = currency.upper()
    language = locale.split("_")[0].lower()
    return STARTERS.get(f"{code}/{language}") or STARTERS.get(code, OTHER)

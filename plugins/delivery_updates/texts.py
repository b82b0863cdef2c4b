"""What the plugin says: the merchant's words from the plugin's catalogue (``_``), the
shopper's messages from ``MESSAGES``, in the order's language (English when missing).

Each message is short enough for one or two SMS parts in Bengali and Armenian (70
characters a part in Unicode), and names the store, because a shopper who gets an SMS
from a number they do not know must know who writes."""

from __future__ import annotations

from collections.abc import Mapping

from core.sdk import PluginText

_ = PluginText(__package__)

#: status -> locale -> text. Placeholders: {store}, {number}, {link} (" Track: <url>"
#: or "" when the parcel has no link).
MESSAGES: Mapping[str, Mapping[str, str]] = {
    "picked_up": {
        "en": "{store}: the courier has picked up your order {number}.{link}",
        "bn": "{store}: আপনার অর্ডার {number} কুরিয়ার সংগ্রহ করেছে।{link}",
        "hy": "{store}. առաքիչը վերցրել է ձեր {number} պատվերը։{link}",
    },
    "in_transit": {
        "en": "{store}: your order {number} is on its way.{link}",
        "bn": "{store}: আপনার অর্ডার {number} পথে আছে।{link}",
        "hy": "{store}. ձեր {number} պատվերը ճանապարհին է։{link}",
    },
    "out_for_delivery": {
        "en": "{store}: your order {number} is out for delivery today. Please keep "
              "your phone nearby.{link}",
        "bn": "{store}: আপনার অর্ডার {number} আজ ডেলিভারির জন্য বের হয়েছে। ফোন কাছে "
              "রাখুন।{link}",
        "hy": "{store}. ձեր {number} պատվերն այսօր առաքվում է։ Հեռախոսը մոտ պահեք։{link}",
    },
    "delivery_failed": {
        "en": "{store}: the courier could not deliver your order {number}. They will "
              "try again; you can also call the store.{link}",
        "bn": "{store}: কুরিয়ার আপনার অর্ডার {number} ডেলিভারি দিতে পারেনি। তারা আবার "
              "চেষ্টা করবে; আপনি দোকানে ফোনও করতে পারেন।{link}",
        "hy": "{store}. առաքիչը չկարողացավ հանձնել ձեր {number} պատվերը։ Նա նորից "
              "կփորձի. կարող եք նաև զանգել խանութ։{link}",
    },
    "returned": {
        "en": "{store}: your order {number} has come back to the store. Contact us if "
              "you still want it.",
        "bn": "{store}: আপনার অর্ডার {number} দোকানে ফেরত এসেছে। এখনো চাইলে আমাদের "
              "সাথে যোগাযোগ করুন।",
        "hy": "{store}. ձեր {number} պատվերը վերադարձել է խանութ։ Եթե դեռ ցանկանում "
              "եք այն, կապվեք մեզ հետ։",
    },
}

#: The email's subject, per locale ({store}, {number}).
SUBJECTS: Mapping[str, str] = {
    "en": "{store}: news of your order {number}",
    "bn": "{store}: আপনার অর্ডার {number}-এর খবর",
    "hy": "{store}. նորություն ձեր {number} պատվերի մասին",
}

#: The link's words before the tracking address.
TRACK: Mapping[str, str] = {"en": " Track: {url}", "bn": " ট্র্যাক করুন: {url}",
                            "hy": " Հետևել՝ {url}"}


def shopper_text(table: Mapping[str, str], locale: str) -> str:
    """The text in ``locale``, English when there is none."""
    return table.get(locale) or table["en"]

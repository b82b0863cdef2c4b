"""SSL Wireless: text messages to Bangladeshi shoppers through the store's own account.

Why SSL Wireless. Among the Bangladeshi gateways small merchants use (SSL Wireless,
BulkSMSBD, Alpha SMS/sms.net.bd, Greenweb), SSL Wireless is the long-established
licensed A2P aggregator connected to the Bangladeshi operators, and the same company
runs SSLCommerz, the payment gateway many Bangladeshi online shops already have an
account with. Its ISMS Plus API (v3) is published with an official client
(github.com/sslw/ismsplus_api) and is what many local shops' and apps' order and OTP
texts go through. Above all, its send API takes a client reference, ``csms_id``, and
refuses a second message with the same reference on the same day: Haat passes its own
message reference there, so a request whose answer was lost can be retried without
texting the shopper twice; as far as their public documentation shows, the other
candidates' send APIs take no such key. Bengali text is sent as UTF-8 and detected by
SSL itself; masking (brand name) and non-masking senders are both selected by the SID
SSL assigns.

Each store brings its own account: the API token (an encrypted setting) and the SID.
The gateway is built per call from the store's own settings, so one store's
credentials never reach another store's message. See docs/sms-gateways.md.
"""

from __future__ import annotations

from core.sdk import PluginManifest, SmsGateway, StoreInfo, hookimpl

from .config import PLUGIN, SETTINGS, SslWirelessConfig, _
from .gateway import SslWirelessGateway

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("SMS by SSL Wireless"),
    description=_.lazy("Send order texts in Bengali or English to your shoppers' "
                       "Bangladeshi mobile numbers, from your own SSL Wireless (ISMS Plus) "
                       "account and approved sender."),
    countries=("BD",),
    settings=SETTINGS,
)


def gateway_for(store: StoreInfo) -> SslWirelessGateway | None:
    """The store's SSL Wireless account, or ``None`` while its settings are incomplete."""
    config = SslWirelessConfig.of(store)
    if not config.ready:
        return None
    return SslWirelessGateway(api_token=config.api_token, sid=config.sid,
                              cost_per_part=config.cost(store.currency))


@hookimpl
def haat_sms_gateways(store: StoreInfo) -> list[SmsGateway]:
    """The store's SSL Wireless account, once its API token and SID are set."""
    gateway = gateway_for(store)
    return [gateway] if gateway is not None else []

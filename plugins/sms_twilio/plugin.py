"""Twilio: text messages to shoppers anywhere, through the store's own Twilio account.

Each store brings its own account: its Account SID, Auth Token (an encrypted setting) and
the number, Messaging Service or sender name to send from. Core decides what to send
and when (templates, language, retries) and calls :meth:`TwilioGateway.send_sms` from a
background job; the gateway is built per call from the store's own settings, so one
store's credentials never reach another store's message. See docs/sms-gateways.md.
"""

from __future__ import annotations

from core.sdk import PluginManifest, SmsGateway, StoreInfo, hookimpl

from .config import PLUGIN, SETTINGS, TwilioConfig, _
from .gateway import TwilioGateway

manifest = PluginManifest(
    name=PLUGIN,
    title=_.lazy("SMS by Twilio"),
    description=_.lazy("Send order texts to your shoppers through your own Twilio "
                       "account, to numbers in almost every country."),
    # Twilio sends to most countries, from an account opened anywhere: no restriction.
    countries=(),
    settings=SETTINGS,
)


def gateway_for(store: StoreInfo) -> TwilioGateway | None:
    """The store's Twilio account, or ``None`` while its settings are incomplete."""
    config = TwilioConfig.of(store)
    if not config.ready:
        return None
    return TwilioGateway(account_sid=config.account_sid, auth_token=config.auth_token,
                         sender=config.sender, cost_per_part=config.cost(store.currency))


@hookimpl
def haat_sms_gateways(store: StoreInfo) -> list[SmsGateway]:
    """The store's Twilio account, once its SID, token and sender are set."""
    gateway = gateway_for(store)
    return [gateway] if gateway is not None else []

"""Orders: placing them atomically, their payment and fulfilment states, their timeline."""

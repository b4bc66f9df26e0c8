"""Outbound webhooks: order changes POSTed, signed, to vendor systems that subscribed (docs/webhooks.md)."""

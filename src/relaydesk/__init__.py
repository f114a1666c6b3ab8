"""relaydesk: a self-hosted service desk for two-tier software support."""

__version__ = "0.1.0"

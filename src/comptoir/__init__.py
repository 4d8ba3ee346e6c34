"""Comptoir: open-source B2B commerce."""

"""The importable entities, one module per area."""

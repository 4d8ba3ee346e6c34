"""The importable entities by name."""

from importlib import import_module

from comptoir.core.errors import DomainError

# The modules that define entities, imported on first use; each registers its own.
ENTITY_MODULES = ("comptoir.integration.transfer.entities.catalog",)

_ENTITIES: dict = {}


def register(entity_class):
    """Class decorator: make an entity importable under its ``name``."""
    _ENTITIES[entity_class.name] = entity_class()
    return entity_class


def all_entities() -> dict:
    """The entities by name, in the order a whole import runs them (dependencies first)."""
    if not _ENTITIES:
        for module in ENTITY_MODULES:
            import_module(module)
    return dict(_ENTITIES)


def get_entity(name: str):
    entities = all_entities()
    try:
        return entities[name.strip().lower()]
    except KeyError:
        raise DomainError(
            f"'{name}' is not an entity that can be imported; choose one of: "
            f"{', '.join(entities)}",
            code="unknown_entity",
        ) from None

"""The importable entities by name."""

from importlib import import_module

from comptoir.core.errors import DomainError

# The modules that define entities, imported on first use; each registers its own.
ENTITY_MODULES = (
    "comptoir.integration.transfer.entities.catalog",
    "comptoir.integration.transfer.entities.products",
    "comptoir.integration.transfer.entities.attributes",
    "comptoir.integration.transfer.entities.pricing",
    "comptoir.integration.transfer.entities.inventory",
    "comptoir.integration.transfer.entities.accounts",
    "comptoir.integration.transfer.entities.orders",
)

_ENTITIES: dict = {}


def register(entity_class):
    """Class decorator: make an entity importable under its ``name``."""
    _ENTITIES[entity_class.name] = entity_class()
    return entity_class


def all_entities() -> dict:
    """The entities by name, in the order a whole import runs them (dependencies first)."""
    for module in ENTITY_MODULES:
        import_module(module)
    # In module order whatever imported a module first (an importer may need a later one).
    order = {module: place for place, module in enumerate(ENTITY_MODULES)}
    return dict(
        sorted(_ENTITIES.items(), key=lambda item: order.get(type(item[1]).__module__, 99))
    )


def get_entity(name: str):
    entities = all_entities()
    try:
        return entities[name.strip().lower()]
    except KeyError:
        raise DomainError(
            f"'{name}' is not an entity that can be imported or exported; choose one of: "
            f"{', '.join(entities)}",
            code="unknown_entity",
        ) from None

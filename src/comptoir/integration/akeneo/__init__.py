"""Import of an Akeneo PIM export directory, its files taken unchanged:
``comptoir import akeneo DIR``."""

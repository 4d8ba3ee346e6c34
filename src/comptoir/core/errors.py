"""Domain errors: each carries a message a buyer or an admin can act on, and a stable code."""


class DomainError(Exception):
    """A request the business rules refuse; the API answers it with a 4xx."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The record does not exist, or the acting user may not see it (the two look the same)."""

    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    """The acting user's roles do not allow the action."""

    code = "permission_denied"
    status = 403


class InvalidInput(DomainError):
    """A value refused, with the input field it came from (``lines.2.quantity``)."""

    status = 422

    def __init__(self, message: str, *, code: str, field: str) -> None:
        super().__init__(message, code=code)
        self.field = field


class BatchRefused(DomainError):
    """Items of a batch refused, each by its place in the batch (from 0); nothing of the batch
    was written."""

    code = "invalid_rows"
    status = 422

    def __init__(self, refusals: list[tuple[int, InvalidInput]]) -> None:
        super().__init__("; ".join(f"item {index}: {error.message}" for index, error in refusals))
        self.refusals = refusals


class InvalidQuantity(DomainError):
    code = "invalid_quantity"
    status = 422


class NotOrderable(DomainError):
    code = "not_orderable"
    status = 422


def excerpt(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, for a message that quotes what someone sent."""
    return text if len(text) <= limit else f"{text[: limit - 1]}…"

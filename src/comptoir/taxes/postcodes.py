"""Postcode patterns of tax rates: blank (the whole area), exact, prefix ``75*``, range
``75000-75999``; how each matches a postcode and how specific it is."""

from dataclasses import dataclass
from enum import IntEnum

from comptoir.core.errors import DomainError


class PatternKind(IntEnum):
    """Kinds of pattern, the more specific the higher."""

    ANY = 0
    PREFIX = 1
    RANGE = 2
    EXACT = 3


def normalized_postcode(postcode: str) -> str:
    """``postcode`` upper-cased without spaces: ``"sw1a 1aa"`` and ``"SW1A1AA"`` are one."""
    return "".join(postcode.split()).upper()


@dataclass(frozen=True)
class PostcodePattern:
    kind: PatternKind
    low: str = ""
    high: str = ""

    @classmethod
    def parse(cls, text: str) -> "PostcodePattern":
        """The pattern ``text`` writes, or a ``DomainError`` saying how to write one."""
        pattern = normalized_postcode(text)
        if not pattern:
            return cls(PatternKind.ANY)
        if pattern.endswith("*"):
            prefix = pattern[:-1]
            if not prefix or not prefix.replace("-", "").isalnum():
                raise DomainError(
                    f"Postcode pattern '{text.strip()}': write the start of the postcodes "
                    "before the star, as in 75*",
                    code="postcode_pattern_invalid",
                )
            return cls(PatternKind.PREFIX, low=prefix)
        if "*" in pattern:
            raise DomainError(
                f"Postcode pattern '{text.strip()}': a star may only end the pattern, as in 75*",
                code="postcode_pattern_invalid",
            )
        low, dash, high = pattern.partition("-")
        if dash and len(low) == len(high) and low.isalnum() and high.isalnum():
            if low > high:
                raise DomainError(
                    f"Postcode range '{text.strip()}' starts after it ends: write the lower "
                    "postcode first, as in 75000-75999",
                    code="postcode_pattern_invalid",
                )
            return cls(PatternKind.RANGE, low=low, high=high)
        if not pattern.replace("-", "").isalnum():
            raise DomainError(
                f"Postcode pattern '{text.strip()}' holds characters a postcode does not: write "
                "a postcode (75001), a prefix (75*) or a range (75000-75999)",
                code="postcode_pattern_invalid",
            )
        # A dash between parts of unequal length is part of the postcode (ZIP+4: 62701-1234).
        return cls(PatternKind.EXACT, low=pattern)

    def matches(self, postcode: str) -> bool:
        """Whether the normalized ``postcode`` falls under this pattern.

        A range compares as many leading characters as its bounds have, so "62000-62999"
        takes the ZIP+4 code 62701-1234.
        """
        if self.kind == PatternKind.ANY:
            return True
        if self.kind == PatternKind.EXACT:
            return postcode == self.low
        if self.kind == PatternKind.PREFIX:
            return postcode.startswith(self.low)
        head = postcode[: len(self.low)]
        return len(head) == len(self.low) and self.low <= head <= self.high

    def specificity(self) -> tuple[int, int]:
        """Sorts patterns from the widest to the narrowest: the kind first, then a longer
        prefix or a range holding fewer postcodes."""
        if self.kind == PatternKind.PREFIX:
            return (self.kind, len(self.low))
        if self.kind == PatternKind.RANGE:
            width = int(self.high) - int(self.low) if (self.low + self.high).isdigit() else 0
            return (self.kind, -width)
        return (self.kind, 0)

"""The formula language of price rules: a small, safe expression language over ``Decimal``.

A formula such as ``max(product.map, pricelist["Default"].price * 0.8)`` is tokenized and
parsed by hand into a tree of the classes below; nothing is ever handed to Python's ``eval``.
Only the names a ``Vocabulary`` declares can be read, and only the functions ``min``, ``max``,
``round`` (half-up) and ``abs`` can be called.
"""

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from comptoir.core.errors import DomainError

MAX_LENGTH = 500
MAX_DEPTH = 32
MAX_ROUND_PLACES = 12

# Every formula computes in this context, so a price never depends on the caller's context.
FORMULA_CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)

_KEYWORDS = frozenset({"and", "or", "not", "if", "else"})
_ROOTS = ("product", "pricelist", "index")
_FUNCTION_ARITY = {"abs": (1, 1), "max": (2, None), "min": (2, None), "round": (1, 2)}
_COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")
_TOKEN = re.compile(
    r"(?P<space>[ \t\r\n]+)"
    r"|(?P<number>[0-9]+(?:\.[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<string>\"[^\"\\]*\"|'[^'\\]*')"
    r"|(?P<op><=|>=|==|!=|[-+*/()\[\].,<>])"
)


class FormulaError(DomainError):
    """A formula that cannot be saved or evaluated; the message starts with the column."""

    code = "invalid_formula"
    status = 422

    def __init__(self, position: int, problem: str) -> None:
        super().__init__(f"column {position}: {problem}")
        self.position = position
        self.problem = problem


def _known(names: Iterable[str]) -> str:
    listed = ", ".join(sorted(names))
    return f"(known: {listed or 'none'})"


def _suggestion(word: str, names: Iterable[str]) -> str:
    matches = difflib.get_close_matches(word, sorted(names), n=1)
    return f"; did you mean '{matches[0]}'?" if matches else ""


@dataclass(frozen=True)
class Vocabulary:
    """What formulas may read: product attributes, and the known price list and index names.

    ``price_lists`` or ``indexes`` left to ``None`` accept any name at save time.
    """

    product_attributes: frozenset[str] = frozenset()
    price_lists: frozenset[str] | None = None
    indexes: frozenset[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "product_attributes", frozenset(self.product_attributes))
        for name in ("price_lists", "indexes"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frozenset(getattr(self, name)))


@dataclass(frozen=True)
class FormulaValues:
    """The inputs of one evaluation: product attributes, price list prices, index values."""

    product: Mapping[str, Decimal | int | None] = field(default_factory=dict)
    price_lists: Mapping[str, Decimal | int | None] = field(default_factory=dict)
    indexes: Mapping[str, Decimal | int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Dependencies:
    """The price lists, indexes and product attributes a formula reads."""

    price_lists: frozenset[str] = frozenset()
    indexes: frozenset[str] = frozenset()
    product_attributes: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    position: int

    def describe(self) -> str:
        return "the end of the formula" if self.kind == "end" else f"'{self.text}'"


def _tokenize(text: str) -> list[_Token]:
    """The tokens of ``text``; a character no token can start with ends the list as "invalid".

    The parser reports an invalid token only when it reaches it, so an earlier mistake is
    reported first.
    """
    tokens = []
    offset = 0
    while offset < len(text):
        match = _TOKEN.match(text, offset)
        if match is None:
            character = text[offset]
            if character in "\"'":
                problem = "text is not closed by a matching quote (and cannot contain \\)"
            else:
                problem = f"unexpected character {character!r}"
            tokens.append(_Token("invalid", problem, offset + 1))
            return tokens
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), offset + 1))
        offset = match.end()
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


class _Node:
    position: int
    gives_condition = False

    def evaluate(self, values: FormulaValues) -> Decimal | bool:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Number(_Node):
    position: int
    value: Decimal

    def evaluate(self, values: FormulaValues) -> Decimal:
        return self.value


def _read(position: int, source: Mapping, key: str, label: Callable[[], str]) -> Decimal:
    value = source.get(key)
    if type(value) is Decimal and value.is_finite():
        return value  # the usual case, checked first
    if value is None:
        raise FormulaError(position, f"no value for {label()}")
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise FormulaError(
            position, f"the value for {label()} must be a Decimal, not {type(value).__name__}"
        )
    value = Decimal(value)
    if not value.is_finite():
        raise FormulaError(position, f"the value for {label()} is not a finite number")
    return value


@dataclass(frozen=True, slots=True)
class _ProductAttribute(_Node):
    position: int
    attribute: str

    def evaluate(self, values: FormulaValues) -> Decimal:
        return _read(self.position, values.product, self.attribute, self.label)

    def label(self) -> str:
        return f"product.{self.attribute}"


@dataclass(frozen=True, slots=True)
class _PriceListPrice(_Node):
    position: int
    price_list: str

    def evaluate(self, values: FormulaValues) -> Decimal:
        return _read(self.position, values.price_lists, self.price_list, self.label)

    def label(self) -> str:
        return f"pricelist['{self.price_list}'].price"


@dataclass(frozen=True, slots=True)
class _IndexValue(_Node):
    position: int
    index: str

    def evaluate(self, values: FormulaValues) -> Decimal:
        return _read(self.position, values.indexes, self.index, self.label)

    def label(self) -> str:
        return f"index['{self.index}']"


@dataclass(frozen=True, slots=True)
class _Negation(_Node):
    position: int
    operand: _Node

    def evaluate(self, values: FormulaValues) -> Decimal:
        return -self.operand.evaluate(values)


_ARITHMETIC: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


@dataclass(frozen=True, slots=True)
class _Arithmetic(_Node):
    position: int
    operator: str
    left: _Node
    right: _Node

    def evaluate(self, values: FormulaValues) -> Decimal:
        left = self.left.evaluate(values)
        right = self.right.evaluate(values)
        try:
            return _ARITHMETIC[self.operator](left, right)
        except DivisionByZero as error:
            raise FormulaError(
                self.position, "division by zero: the divisor evaluates to 0"
            ) from error
        except DecimalException as error:
            if self.operator == "/" and right == 0:  # 0 / 0
                raise FormulaError(
                    self.position, "division by zero: the divisor evaluates to 0"
                ) from error
            raise FormulaError(self.position, "the result is too large to compute") from error


def _round_half_up(amount: Decimal, places: Decimal) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)


_FUNCTIONS: dict[str, Callable[..., Decimal]] = {
    "abs": abs,
    "max": max,
    "min": min,
    "round": lambda amount, places=Decimal(0): _round_half_up(amount, places),
}


@dataclass(frozen=True, slots=True)
class _Call(_Node):
    position: int
    function: str
    arguments: tuple[_Node, ...]

    def evaluate(self, values: FormulaValues) -> Decimal:
        arguments = [argument.evaluate(values) for argument in self.arguments]
        try:
            return _FUNCTIONS[self.function](*arguments)
        except DecimalException as error:
            raise FormulaError(self.position, "the result is too large to compute") from error


_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True, slots=True)
class _Comparison(_Node):
    position: int
    operator: str
    left: _Node
    right: _Node
    gives_condition = True

    def evaluate(self, values: FormulaValues) -> bool:
        return _COMPARE[self.operator](self.left.evaluate(values), self.right.evaluate(values))


@dataclass(frozen=True, slots=True)
class _Logical(_Node):
    position: int
    operator: str
    left: _Node
    right: _Node
    gives_condition = True

    def evaluate(self, values: FormulaValues) -> bool:
        left = self.left.evaluate(values)
        if self.operator == "and":
            return left and self.right.evaluate(values)
        return left or self.right.evaluate(values)


@dataclass(frozen=True, slots=True)
class _Not(_Node):
    position: int
    operand: _Node
    gives_condition = True

    def evaluate(self, values: FormulaValues) -> bool:
        return not self.operand.evaluate(values)


@dataclass(frozen=True, slots=True)
class _Conditional(_Node):
    position: int
    condition: _Node
    then: _Node
    otherwise: _Node

    def evaluate(self, values: FormulaValues) -> Decimal:
        chosen = self.then if self.condition.evaluate(values) else self.otherwise
        return chosen.evaluate(values)


def _require_number(node: _Node) -> _Node:
    if node.gives_condition:
        raise FormulaError(node.position, "expected a number here, not a condition")
    return node


def _require_condition(node: _Node) -> _Node:
    if not node.gives_condition:
        raise FormulaError(
            node.position, "expected a condition here (such as a < b), not a number"
        )
    return node


class _Parser:
    """Recursive descent, lowest precedence first: if/else, or, and, not, comparison, + -, * /."""

    def __init__(self, text: str, vocabulary: Vocabulary) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.vocabulary = vocabulary
        self.price_lists: set[str] = set()
        self.indexes: set[str] = set()
        self.product_attributes: set[str] = set()

    def peek(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind == "invalid":
            raise FormulaError(token.position, token.text)
        return token

    def advance(self) -> _Token:
        token = self.peek()
        self.index += 1
        return token

    def at(self, kind: str, *texts: str) -> bool:
        token = self.peek()
        return token.kind == kind and (not texts or token.text in texts)

    def expect(self, kind: str, text: str, wanted: str) -> _Token:
        if not self.at(kind, text):
            raise FormulaError(self.peek().position, f"expected {wanted}, found {self.describe()}")
        return self.advance()

    def describe(self) -> str:
        return self.peek().describe()

    def descend(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(
                self.peek().position, f"the formula is nested deeper than {MAX_DEPTH} levels"
            )

    def formula(self) -> _Node:
        node = self.expression()
        if not self.at("end"):
            raise FormulaError(self.peek().position, f"unexpected {self.describe()}")
        if node.gives_condition:
            raise FormulaError(
                1, "the formula gives a condition, not a number; use it in 'a if condition else b'"
            )
        return node

    def condition(self) -> _Node:
        node = self.expression()
        if not self.at("end"):
            raise FormulaError(self.peek().position, f"unexpected {self.describe()}")
        if not node.gives_condition:
            raise FormulaError(
                1,
                "the condition gives a number, not true or false; compare it, as in "
                "product.weight_kg > 10",
            )
        return node

    def expression(self) -> _Node:
        self.descend()
        node = self.disjunction()
        if self.at("name", "if"):
            self.advance()
            condition = _require_condition(self.disjunction())
            self.expect("name", "else", "'else'")
            otherwise = _require_number(self.expression())
            node = _Conditional(node.position, condition, _require_number(node), otherwise)
        self.depth -= 1
        return node

    def disjunction(self) -> _Node:
        node = self.conjunction()
        while self.at("name", "or"):
            symbol = self.advance()
            right = _require_condition(self.conjunction())
            node = _Logical(symbol.position, "or", _require_condition(node), right)
        return node

    def conjunction(self) -> _Node:
        node = self.inversion()
        while self.at("name", "and"):
            symbol = self.advance()
            right = _require_condition(self.inversion())
            node = _Logical(symbol.position, "and", _require_condition(node), right)
        return node

    def inversion(self) -> _Node:
        if not self.at("name", "not"):
            return self.comparison()
        symbol = self.advance()
        self.descend()
        operand = _require_condition(self.inversion())
        self.depth -= 1
        return _Not(symbol.position, operand)

    def comparison(self) -> _Node:
        node = self.sum()
        if self.at("op", *_COMPARISONS):
            symbol = self.advance()
            right = _require_number(self.sum())
            node = _Comparison(symbol.position, symbol.text, _require_number(node), right)
            if self.at("op", *_COMPARISONS):
                raise FormulaError(
                    self.peek().position, "comparisons cannot be chained; join them with 'and'"
                )
        return node

    def sum(self) -> _Node:
        node = self.term()
        while self.at("op", "+", "-"):
            symbol = self.advance()
            right = _require_number(self.term())
            node = _Arithmetic(symbol.position, symbol.text, _require_number(node), right)
        return node

    def term(self) -> _Node:
        node = self.unary()
        while self.at("op", "*", "/"):
            symbol = self.advance()
            right = _require_number(self.unary())
            if symbol.text == "/" and isinstance(right, _Number) and right.value == 0:
                raise FormulaError(right.position, "division by zero")
            node = _Arithmetic(symbol.position, symbol.text, _require_number(node), right)
        return node

    def unary(self) -> _Node:
        if not self.at("op", "-"):
            return self.primary()
        symbol = self.advance()
        self.descend()
        operand = _require_number(self.unary())
        self.depth -= 1
        return _Negation(symbol.position, operand)

    def primary(self) -> _Node:
        token = self.peek()
        if token.kind == "number":
            self.advance()
            return _Number(token.position, Decimal(token.text))
        if token.kind == "string":
            raise FormulaError(
                token.position, "text is only allowed as a price list or index name"
            )
        if self.at("op", "("):
            self.advance()
            node = self.expression()
            self.expect("op", ")", "')'")
            return node
        if token.kind == "name" and token.text not in _KEYWORDS:
            return self.name()
        raise FormulaError(
            token.position, f"expected a number, a name or '(', found {token.describe()}"
        )

    def name(self) -> _Node:
        token = self.advance()
        if token.text in _FUNCTION_ARITY:
            return self.call(token)
        if token.text == "product":
            return self.product_attribute(token)
        if token.text == "pricelist":
            return self.price_list_price(token)
        if token.text == "index":
            return self.index_value(token)
        known = (*_ROOTS, *_FUNCTION_ARITY)
        raise FormulaError(
            token.position,
            f"unknown name '{token.text}' {_known(known)}{_suggestion(token.text, known)}",
        )

    def call(self, function: _Token) -> _Node:
        self.expect("op", "(", f"'(' after {function.text}")
        arguments = []
        if not self.at("op", ")"):
            arguments.append(_require_number(self.expression()))
            while self.at("op", ","):
                self.advance()
                arguments.append(_require_number(self.expression()))
        self.expect("op", ")", "',' or ')'")

        fewest, most = _FUNCTION_ARITY[function.text]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            if most is None:
                wanted = f"at least {fewest} arguments"
            elif fewest == most:
                wanted = f"{fewest} argument" + ("s" if fewest > 1 else "")
            else:
                wanted = f"{fewest} or {most} arguments"
            raise FormulaError(
                function.position,
                f"{function.text}() takes {wanted}, not {len(arguments)}",
            )
        if function.text == "round" and len(arguments) == 2:
            self.check_places(arguments[1])
        return _Call(function.position, function.text, tuple(arguments))

    def check_places(self, places: _Node) -> None:
        if not (
            isinstance(places, _Number)
            and places.value == places.value.to_integral_value()
            and places.value <= MAX_ROUND_PLACES
        ):
            raise FormulaError(
                places.position,
                f"round() needs a whole number of places from 0 to {MAX_ROUND_PLACES}",
            )

    def product_attribute(self, root: _Token) -> _Node:
        self.expect("op", ".", "'.' and an attribute after product, as in product.msrp")
        attribute = self.expect_name("an attribute name after 'product.'")
        known = self.vocabulary.product_attributes
        if attribute.text not in known:
            raise FormulaError(
                attribute.position,
                f"unknown attribute '{attribute.text}' of product "
                f"{_known(known)}{_suggestion(attribute.text, known)}",
            )
        self.product_attributes.add(attribute.text)
        return _ProductAttribute(root.position, attribute.text)

    def price_list_price(self, root: _Token) -> _Node:
        name = self.subscript(root, "price list", self.vocabulary.price_lists)
        self.expect("op", ".", f"'.price' after pricelist['{name}']")
        attribute = self.expect_name(f"'price' after pricelist['{name}'].")
        if attribute.text != "price":
            raise FormulaError(
                attribute.position,
                f"unknown attribute '{attribute.text}' of pricelist['{name}'] (known: price)",
            )
        self.price_lists.add(name)
        return _PriceListPrice(root.position, name)

    def index_value(self, root: _Token) -> _Node:
        name = self.subscript(root, "index", self.vocabulary.indexes)
        self.indexes.add(name)
        return _IndexValue(root.position, name)

    def subscript(self, root: _Token, what: str, known: frozenset[str] | None) -> str:
        example = f"{root.text}['{'Default' if root.text == 'pricelist' else 'COPPER'}']"
        self.expect("op", "[", f"'[' and a quoted {what} name, as in {example}")
        token = self.peek()
        if token.kind != "string":
            raise FormulaError(
                token.position,
                f"expected a quoted {what} name, as in {example}, found {token.describe()}",
            )
        self.advance()
        self.expect("op", "]", f"']' after the {what} name")
        name = token.text[1:-1]
        if known is not None and name not in known:
            raise FormulaError(
                token.position,
                f"unknown {what} '{name}' {_known(known)}{_suggestion(name, known)}",
            )
        return name

    def expect_name(self, wanted: str) -> _Token:
        if not self.at("name") or self.peek().text in _KEYWORDS:
            raise FormulaError(self.peek().position, f"expected {wanted}, found {self.describe()}")
        return self.advance()


@dataclass(frozen=True)
class Formula:
    """A checked formula: what it reads, and how to compute it from given values."""

    text: str
    dependencies: Dependencies
    _tree: _Node = field(repr=False)

    def in_context(self) -> Callable[[FormulaValues], Decimal | bool]:
        """``evaluate`` without entering ``FORMULA_CONTEXT``: for loops over many values, which
        enter it once themselves (``with decimal.localcontext(FORMULA_CONTEXT):``)."""
        return self._tree.evaluate

    def evaluate(self, values: FormulaValues) -> Decimal:
        """The formula's result over ``values``, computed in ``FORMULA_CONTEXT``; a condition
        gives a bool."""
        with localcontext(FORMULA_CONTEXT):
            return self._tree.evaluate(values)


def compile_formula(text: str, vocabulary: Vocabulary) -> Formula:
    """Parse and check ``text`` against ``vocabulary``; raise ``FormulaError`` on any problem."""
    return _compile(text, vocabulary, condition=False)


def compile_condition(text: str, vocabulary: Vocabulary) -> Formula:
    """Like ``compile_formula`` for a condition (``product.weight_kg > 10``): its ``evaluate``
    gives True or False."""
    return _compile(text, vocabulary, condition=True)


def _compile(text: str, vocabulary: Vocabulary, *, condition: bool) -> Formula:
    what = "condition" if condition else "formula"
    if len(text) > MAX_LENGTH:
        raise FormulaError(MAX_LENGTH + 1, f"the {what} is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise FormulaError(1, f"the {what} is empty")

    parser = _Parser(text, vocabulary)
    tree = parser.condition() if condition else parser.formula()

    dependencies = Dependencies(
        price_lists=frozenset(parser.price_lists),
        indexes=frozenset(parser.indexes),
        product_attributes=frozenset(parser.product_attributes),
    )
    return Formula(text, dependencies, tree)

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.core.errors import DomainError
from comptoir.core.expressions import (
    FORMULA_CONTEXT,
    MAX_DEPTH,
    MAX_LENGTH,
    Dependencies,
    FormulaError,
    FormulaValues,
    Vocabulary,
    compile_formula,
)

VOCABULARY = Vocabulary(
    product_attributes=frozenset({"msrp", "map", "weight_kg"}),
    price_lists=frozenset({"Default", "Wholesale"}),
    indexes=frozenset({"COPPER", "EURUSD"}),
)
VALUES = FormulaValues(
    product={"msrp": Decimal("100.00"), "map": Decimal("70.00"), "weight_kg": Decimal("2.5")},
    price_lists={"Default": Decimal("80.00"), "Wholesale": Decimal("60.00")},
    indexes={"COPPER": Decimal("8.40"), "EURUSD": Decimal("1.0850")},
)


def evaluate(text, values=VALUES, vocabulary=VOCABULARY):
    return compile_formula(text, vocabulary).evaluate(values)


def compile_error(text, vocabulary=VOCABULARY):
    with pytest.raises(FormulaError) as error:
        compile_formula(text, vocabulary)
    return error.value


# Constructs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('pricelist["Default"].price * 0.9', Decimal("72.000")),
        ("pricelist['Wholesale'].price", Decimal("60.00")),
        ("product.msrp * 0.85", Decimal("85.0000")),
        ('index["COPPER"] * product.weight_kg * 1.2 + 3', Decimal("28.2000")),
        ('max(product.map, pricelist["Default"].price * 0.8)', Decimal("70.00")),
        ('min(product.map, pricelist["Default"].price * 0.8, 65)', Decimal("64.000")),
        ("abs(-2.5)", Decimal("2.5")),
        ("round(10 / 3, 2)", Decimal("3.33")),
        ("round(2.5)", Decimal("3")),
        ("3", Decimal("3")),
        ("-product.map", Decimal("-70.00")),
        ("- -1.5", Decimal("1.5")),
        ("(1 + 2) * 3", Decimal("9")),
        ("7 - 2 - 1", Decimal("4")),
        ("8 / 2 / 2", Decimal("2")),
    ],
)
def test_formula_constructs_evaluate_to_exact_decimals(text, expected):
    result = evaluate(text)

    assert result == expected
    assert str(result) == str(expected)


def test_multiplication_binds_tighter_than_addition():
    assert evaluate("1 + 2 * 3") == Decimal("7")
    assert evaluate("2 * 3 + 1") == Decimal("7")
    assert evaluate("10 - 4 / 2") == Decimal("8")


def test_unary_minus_applies_before_multiplication():
    assert evaluate("-2 * 3 + 1") == Decimal("-5")
    assert evaluate("2 * -3") == Decimal("-6")


def test_decimal_literals_add_exactly():
    assert evaluate("0.1 + 0.2") == Decimal("0.3")


def test_evaluation_returns_decimal_never_float():
    assert type(evaluate("product.msrp / 3")) is Decimal


@pytest.mark.parametrize(
    ("places", "amount", "expected"),
    [
        ("2", "2.675", "2.68"),
        ("2", "-2.675", "-2.68"),
        ("2", "2.665", "2.67"),
        ("0", "0.5", "1"),
        ("1", "1.25", "1.3"),
    ],
)
def test_round_rounds_half_up(places, amount, expected):
    assert str(evaluate(f"round({amount}, {places})")) == expected


def test_conditional_chooses_a_branch_by_comparison():
    above = "product.map if product.map > pricelist['Default'].price * 0.8 else 0.8 * 100"
    below = "product.map if product.map > pricelist['Default'].price else 0.8 * 100"

    assert evaluate(above) == Decimal("70.00")
    assert evaluate(below) == Decimal("80.0")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 if 1 < 2 else 2", Decimal("1")),
        ("1 if 2 <= 2 else 2", Decimal("1")),
        ("1 if 1 > 2 else 2", Decimal("2")),
        ("1 if 1 >= 2 else 2", Decimal("2")),
        ("1 if 1.0 == 1 else 2", Decimal("1")),
        ("1 if 1 != 1 else 2", Decimal("2")),
        ("1 if 1 < 2 and 2 < 3 else 2", Decimal("1")),
        ("1 if 1 < 2 and 3 < 2 else 2", Decimal("2")),
        ("1 if 3 < 2 or 2 < 3 else 2", Decimal("1")),
        ("1 if not 3 < 2 else 2", Decimal("1")),
        ("1 if 1 < 2 or 1 < 2 and 3 < 2 else 2", Decimal("1")),
        ("1 if 0 < 1 else 2 if 1 < 0 else 3", Decimal("1")),
        ("1 if 1 < 0 else 2 if 1 < 0 else 3", Decimal("3")),
    ],
)
def test_comparisons_and_logic_choose_the_branch(text, expected):
    assert evaluate(text) == expected


def test_branch_not_taken_is_not_evaluated():
    values = FormulaValues(product={"msrp": Decimal("10")})

    result = evaluate("product.msrp if product.msrp > 5 else product.map", values)

    assert result == Decimal("10")


def test_integer_values_are_accepted_as_decimals():
    values = FormulaValues(product={"msrp": 10})

    assert evaluate("product.msrp / 4", values) == Decimal("2.5")


# Dependencies


def test_dependencies_list_price_lists_indexes_and_product_attributes():
    formula = compile_formula(
        'max(pricelist["Default"].price, index["COPPER"] * product.weight_kg)'
        " + pricelist['Wholesale'].price * 0 + product.weight_kg",
        VOCABULARY,
    )

    assert formula.dependencies == Dependencies(
        price_lists=frozenset({"Default", "Wholesale"}),
        indexes=frozenset({"COPPER"}),
        product_attributes=frozenset({"weight_kg"}),
    )


def test_formula_of_literals_has_no_dependencies():
    assert compile_formula("1 + 2", VOCABULARY).dependencies == Dependencies()


def test_dependencies_include_both_branches_of_a_conditional():
    formula = compile_formula(
        "product.msrp if index['EURUSD'] > 1 else pricelist['Default'].price", VOCABULARY
    )

    assert formula.dependencies == Dependencies(
        price_lists=frozenset({"Default"}),
        indexes=frozenset({"EURUSD"}),
        product_attributes=frozenset({"msrp"}),
    )


def test_vocabulary_without_known_names_accepts_any_price_list_and_index():
    vocabulary = Vocabulary(product_attributes=frozenset({"msrp"}))

    formula = compile_formula("pricelist['Partner C'].price + index['ALU']", vocabulary)

    assert formula.dependencies.price_lists == frozenset({"Partner C"})
    assert formula.dependencies.indexes == frozenset({"ALU"})


# Errors at save time


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "product.msrpp * 0.85",
            "column 9: unknown attribute 'msrpp' of product (known: map, msrp, weight_kg);"
            " did you mean 'msrp'?",
        ),
        (
            "product.colour",
            "column 9: unknown attribute 'colour' of product (known: map, msrp, weight_kg)",
        ),
        (
            "1 + prodct.msrp",
            "column 5: unknown name 'prodct' (known: abs, index, max, min, pricelist, product,"
            " round); did you mean 'product'?",
        ),
        (
            'pricelist["Defualt"].price',
            "column 11: unknown price list 'Defualt' (known: Default, Wholesale);"
            " did you mean 'Default'?",
        ),
        (
            'index["COPER"]',
            "column 7: unknown index 'COPER' (known: COPPER, EURUSD); did you mean 'COPPER'?",
        ),
        (
            'pricelist["Default"].cost',
            "column 22: unknown attribute 'cost' of pricelist['Default'] (known: price)",
        ),
        (
            'pricelist["Default"]',
            "column 21: expected '.price' after pricelist['Default'],"
            " found the end of the formula",
        ),
        (
            "pricelist[1].price",
            "column 11: expected a quoted price list name, as in pricelist['Default'], found '1'",
        ),
        (
            "index.COPPER",
            "column 6: expected '[' and a quoted index name, as in index['COPPER'], found '.'",
        ),
        (
            "product",
            "column 8: expected '.' and an attribute after product, as in product.msrp,"
            " found the end of the formula",
        ),
        ("round(1, 2, 3)", "column 1: round() takes 1 or 2 arguments, not 3"),
        ("max(1)", "column 1: max() takes at least 2 arguments, not 1"),
        ("min()", "column 1: min() takes at least 2 arguments, not 0"),
        ("abs(1, 2)", "column 1: abs() takes 1 argument, not 2"),
        ("round(1, 1.5)", "column 10: round() needs a whole number of places from 0 to 12"),
        (
            "round(1, product.msrp)",
            "column 10: round() needs a whole number of places from 0 to 12",
        ),
        ("round(1, 13)", "column 10: round() needs a whole number of places from 0 to 12"),
        ("max", "column 4: expected '(' after max, found the end of the formula"),
        ("product.msrp / 0", "column 16: division by zero"),
        ("product.msrp / (0.00)", "column 17: division by zero"),
        ("1 +", "column 4: expected a number, a name or '(', found the end of the formula"),
        ("(1 + 2", "column 7: expected ')', found the end of the formula"),
        ("1 2", "column 3: unexpected '2'"),
        ("max(1 2)", "column 7: expected ',' or ')', found '2'"),
        ("1 $ 2", "column 3: unexpected character '$'"),
        ("1e5", "column 2: unexpected 'e5'"),
        ("'Default'", "column 1: text is only allowed as a price list or index name"),
        (
            'pricelist["Default].price',
            "column 11: text is not closed by a matching quote (and cannot contain \\)",
        ),
        ("", "column 1: the formula is empty"),
        ("   ", "column 1: the formula is empty"),
        ("1 < 2 < 3", "column 7: comparisons cannot be chained; join them with 'and'"),
        (
            "1 < 2",
            "column 1: the formula gives a condition, not a number;"
            " use it in 'a if condition else b'",
        ),
        ("(1 < 2) + 1", "column 4: expected a number here, not a condition"),
        ("1 if 2 else 3", "column 6: expected a condition here (such as a < b), not a number"),
        ("1 if 1 < 2", "column 11: expected 'else', found the end of the formula"),
        (
            "1 if 1 < 2 and 3 else 4",
            "column 16: expected a condition here (such as a < b), not a number",
        ),
        (
            "not 1 < 2",
            "column 1: the formula gives a condition, not a number;"
            " use it in 'a if condition else b'",
        ),
        ("product.and", "column 9: expected an attribute name after 'product.', found 'and'"),
    ],
)
def test_invalid_formula_is_refused_with_column_and_problem(text, message):
    error = compile_error(text)

    assert error.message == message
    assert error.position == int(message.split(":")[0].removeprefix("column "))


def test_formula_error_is_a_domain_error_with_its_own_code():
    error = compile_error("product.msrpp")

    assert isinstance(error, DomainError)
    assert error.code == "invalid_formula"
    assert error.problem == (
        "unknown attribute 'msrpp' of product (known: map, msrp, weight_kg); did you mean 'msrp'?"
    )


def test_vocabulary_without_product_attributes_says_none_are_known():
    error = compile_error("product.msrp", Vocabulary())

    assert error.message == "column 9: unknown attribute 'msrp' of product (known: none)"


def test_formula_longer_than_the_limit_is_refused():
    error = compile_error("1+" * (MAX_LENGTH // 2) + "1")

    assert error.message == f"column {MAX_LENGTH + 1}: the formula is longer than 500 characters"


def test_formula_at_the_length_limit_is_accepted():
    text = "1+" * ((MAX_LENGTH - 1) // 2) + "1"

    assert evaluate(text) == Decimal((MAX_LENGTH - 1) // 2 + 1)


def test_formula_nested_deeper_than_the_limit_is_refused():
    error = compile_error("(" * 40 + "1" + ")" * 40)

    assert error.message == f"column {MAX_DEPTH + 1}: the formula is nested deeper than 32 levels"


def test_formula_nested_to_the_limit_is_accepted():
    depth = MAX_DEPTH - 1

    assert evaluate("(" * depth + "1" + ")" * depth) == Decimal("1")


def test_long_chain_of_unary_minus_is_refused_as_too_deep():
    error = compile_error("-" * 100 + "1")

    assert error.message == f"column {MAX_DEPTH + 1}: the formula is nested deeper than 32 levels"


# Attempts to escape


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("__class__", 1),
        ("product.__dict__", 9),
        ("product.__class__.__mro__", 9),
        ("().__class__", 2),
        ("__import__('os')", 1),
        ("import os", 1),
        ("lambda: 1", 1),
        ("lambda x: x", 1),
        ("eval('1')", 1),
        ("exec('1')", 1),
        ("open('/etc/passwd')", 1),
        ("[1, 2]", 1),
        ("{}", 1),
        ("round.__globals__", 6),
        ("max.__self__", 4),
        ("pricelist['Default'].__class__", 22),
        ("index['COPPER'].real", 16),
        ("product['msrp']", 8),
        ("product.msrp.real", 13),
        ("1 .real", 3),
        ("1; 2", 2),
        ("a = 1", 1),
        ("f'{1}'", 1),
        ("1 if True else 2", 6),
        ("2 ** 10", 4),
        ("2 // 1", 4),
    ],
)
def test_attempts_to_escape_the_language_are_refused(text, position):
    error = compile_error(text)

    assert error.position == position


# Errors at evaluation


def test_missing_product_value_is_named():
    formula = compile_formula("product.map * 2", VOCABULARY)

    with pytest.raises(FormulaError) as error:
        formula.evaluate(FormulaValues(product={"msrp": Decimal("1")}))

    assert error.value.message == "column 1: no value for product.map"


def test_missing_price_list_price_is_named():
    formula = compile_formula("1 + pricelist['Wholesale'].price", VOCABULARY)

    with pytest.raises(FormulaError) as error:
        formula.evaluate(FormulaValues())

    assert error.value.message == "column 5: no value for pricelist['Wholesale'].price"


def test_missing_index_value_is_named():
    formula = compile_formula("index['COPPER']", VOCABULARY)

    with pytest.raises(FormulaError) as error:
        formula.evaluate(FormulaValues(indexes={"COPPER": None}))

    assert error.value.message == "column 1: no value for index['COPPER']"


def test_float_value_is_refused():
    formula = compile_formula("product.msrp", VOCABULARY)

    with pytest.raises(FormulaError) as error:
        formula.evaluate(FormulaValues(product={"msrp": 1.5}))

    assert error.value.message == (
        "column 1: the value for product.msrp must be a Decimal, not float"
    )


def test_infinite_value_is_refused():
    formula = compile_formula("product.msrp", VOCABULARY)

    with pytest.raises(FormulaError) as error:
        formula.evaluate(FormulaValues(product={"msrp": Decimal("Infinity")}))

    assert error.value.message == "column 1: the value for product.msrp is not a finite number"


def test_division_by_zero_at_evaluation_names_the_divisor():
    formula = compile_formula("product.msrp / (product.map - 70)", VOCABULARY)

    with pytest.raises(FormulaError) as error:
        formula.evaluate(VALUES)

    assert error.value.message == "column 14: division by zero: the divisor evaluates to 0"


def test_rounding_a_number_too_large_for_the_precision_is_refused():
    formula = compile_formula("round(" + "9" * 40 + ", 2)", VOCABULARY)

    with pytest.raises(FormulaError) as error:
        formula.evaluate(VALUES)

    assert error.value.message == "column 1: the result is too large to compute"


def test_evaluation_ignores_the_callers_decimal_context():
    formula = compile_formula("1 / 3", VOCABULARY)

    with localcontext() as context:
        context.prec = 3
        result = formula.evaluate(VALUES)

    assert result == Decimal("0.3333333333333333333333333333333333")


# Properties

_literals = st.decimals(
    min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=4, allow_nan=False
)


def _render(value):
    return f"(-{-value})" if value.is_signed() else str(value)


_expressions = st.recursive(
    _literals.map(lambda value: (_render(value), value)),
    lambda children: st.tuples(children, st.sampled_from("+-*/"), children),
    max_leaves=12,
)


def _text_and_expected(tree):
    """The formula text of ``tree`` and its value computed with Decimal (None on division by 0)."""
    if isinstance(tree[1], Decimal):
        return tree
    left, operator, right = tree
    left_text, left_value = _text_and_expected(left)
    right_text, right_value = _text_and_expected(right)
    text = f"({left_text} {operator} {right_text})"
    if left_value is None or right_value is None:
        return text, None
    if operator == "/" and right_value == 0:
        return text, None
    with localcontext(FORMULA_CONTEXT):
        value = {
            "+": lambda: left_value + right_value,
            "-": lambda: left_value - right_value,
            "*": lambda: left_value * right_value,
            "/": lambda: left_value / right_value,
        }[operator]()
    return text, value


@given(_expressions)
def test_arithmetic_over_literals_evaluates_like_decimal_arithmetic(tree):
    text, expected = _text_and_expected(tree)

    if expected is None:
        with pytest.raises(FormulaError, match="division by zero"):
            compile_formula(text, VOCABULARY).evaluate(VALUES)
    else:
        assert compile_formula(text, VOCABULARY).evaluate(VALUES) == expected


_junk = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789.+-*/()[]'\",<>=! abcdefghijklmnopqrstuvwxyz_", max_size=80),
    st.lists(
        st.sampled_from(
            [
                "product",
                ".",
                "msrp",
                "map",
                "pricelist",
                "index",
                "['Default']",
                "['COPPER']",
                ".price",
                "max",
                "min",
                "round",
                "abs",
                "(",
                ")",
                ",",
                "+",
                "-",
                "*",
                "/",
                "0",
                "1.5",
                "if",
                "else",
                "and",
                "or",
                "not",
                "<",
                "==",
                "__class__",
            ]
        ),
        max_size=30,
    ).map(" ".join),
)


@given(_junk)
def test_junk_input_raises_nothing_but_formula_error(text):
    try:
        formula = compile_formula(text, VOCABULARY)
        formula.evaluate(VALUES)
        formula.evaluate(FormulaValues())
    except FormulaError:
        pass

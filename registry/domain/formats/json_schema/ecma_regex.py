"""ECMA-262 regular expressions, as JSON Schema means them, run by the ``regex`` package.

``pattern``, ``patternProperties`` and ``format: "regex"`` use ECMA-262 semantics: each
pattern is translated (``translate_ecma_regex``) and compiled once (``compile_ecma``).
While a document is validated, each match may take ``PATTERN_MATCH_TIMEOUT_SECONDS`` and
all of them together ``PATTERN_TIME_BUDGET_SECONDS`` (``pattern_matches``), so a
catastrophic pattern cannot hang a worker. The budget lives in a context variable that
``CompiledValidator.validate`` sets for the length of one call.
"""

from __future__ import annotations

import contextvars
import re as _stdlib_re  # only for fixed, linear patterns written in this module
import time
from collections.abc import Callable, Mapping
from functools import lru_cache

import regex

from registry.domain.compute import budget_left, budget_spent


class InvalidEcmaPattern(ValueError):
    """A pattern is not a valid ECMA-262 regular expression (or cannot be supported)."""


_ECMA_WHITESPACE = r"\t\n\x0b\f\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ECMA_DOT = r"[^\n\r\u2028\u2029]"
_ASCII_WORD = "A-Za-z0-9_"
_QUANTIFIER_BRACES = _stdlib_re.compile(r"\{(\d+)(,(\d*))?\}", _stdlib_re.ASCII)
_GROUP_NAME = _stdlib_re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")
_HEX2 = _stdlib_re.compile(r"[0-9A-Fa-f]{2}")
_HEX4 = _stdlib_re.compile(r"[0-9A-Fa-f]{4}")
_BRACED_HEX = _stdlib_re.compile(r"\{([0-9A-Fa-f]{1,6})\}")
_PROPERTY_BODY = _stdlib_re.compile(r"\{[A-Za-z0-9_=]+\}")
_DIGITS = _stdlib_re.compile(r"\d+", _stdlib_re.ASCII)

# ``a{100000}`` compiles in about 0.1 s; the cost grows with the product of nested counts.
_MAX_REPETITION_WEIGHT = 100_000

# Escapes whose meaning is the same in ECMA-262 and in the ``regex`` package.
_SHARED_CONTROL_ESCAPES = frozenset("fnrtv")


def translate_ecma_regex(pattern: str) -> str:
    """Rewrite an ECMA-262 (unicode mode) pattern into an equivalent ``regex`` pattern.

    Differences handled: ``\\d``/``\\w``/``\\b`` are ASCII-only and ``\\s`` is ECMA's
    whitespace set; ``.`` excludes all four line terminators; ``$`` matches only at the
    very end (Python's also matches before a final newline); ``\\cX``, ``\\u{...}``,
    surrogate pairs, ``\\k<name>``, ``[]`` and ``[^]``; ``{`` that is not a quantifier is
    literal. Python-only syntax (inline flags, atomic groups, possessive quantifiers,
    ``\\A``/``\\Z``, backtracking verbs, ...) is rejected rather than silently accepted.
    Known residual difference: ``\\D``, ``\\W`` and ``\\S`` *inside* a character class keep
    Unicode semantics.

    Also refuses nested counted repetition whose product exceeds
    ``_MAX_REPETITION_WEIGHT`` (``(a{1000}){1000}``): the ``regex`` compiler unrolls it,
    taking seconds that no timeout interrupts. Raises ``InvalidEcmaPattern``.
    """
    return _Translation(pattern).run()


# Outside a character class, single characters whose meaning differs between the dialects.
_OUTSIDE_CLASS_CHARACTERS = {
    ".": _ECMA_DOT,
    "$": r"\Z",
    "}": r"\}",
}


class _Translation:
    """One pattern being translated, token by token, left to right."""

    __slots__ = ("pattern", "index", "out", "in_class", "group_weights", "closed_group_weight")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.index = 0
        self.out: list[str] = []
        self.in_class = False
        # Largest product of repetition bounds inside each open group (the root is index 0),
        # and that of the group just closed while the next token may still quantify it.
        self.group_weights = [1]
        self.closed_group_weight: int | None = None

    def run(self) -> str:
        pattern = self.pattern
        while self.index < len(pattern):
            char = pattern[self.index]
            if char == ")" and not self.in_class:
                self._close_group()
                continue
            if not self.in_class and char in "*+?{":
                self._weigh_quantifier(char)
            self.closed_group_weight = None
            if char == "\\":
                text, self.index = _translate_escape(pattern, self.index, self.in_class)
                self.out.append(text)
            elif self.in_class:
                self._class_member(char)
            else:
                self._outside_class(char)
        if self.in_class:
            raise InvalidEcmaPattern("unterminated character class")
        return "".join(self.out)

    def _close_group(self) -> None:
        inner = self.group_weights.pop() if len(self.group_weights) > 1 else 1
        self.group_weights[-1] = max(self.group_weights[-1], inner)
        self.closed_group_weight = inner
        self.out.append(")")
        self.index += 1

    def _weigh_quantifier(self, char: str) -> None:
        braces = _QUANTIFIER_BRACES.match(self.pattern, self.index) if char == "{" else None
        if char == "{" and braces is None:
            return  # a literal brace
        weight = (self.closed_group_weight or 1) * max(_upper_repetition_bound(braces), 1)
        if weight > _MAX_REPETITION_WEIGHT:
            raise InvalidEcmaPattern(
                f"nested repetition counts multiply to {weight}, more than {_MAX_REPETITION_WEIGHT}"
            )
        self.group_weights[-1] = max(self.group_weights[-1], weight)

    def _class_member(self, char: str) -> None:
        if char == "]":
            self.in_class = False
            self.out.append("]")
        elif char in "[&~|":
            # Literal in ECMA; nested sets / set operators in ``regex``.
            self.out.append("\\" + char)
        else:
            self.out.append(char)
        self.index += 1

    def _outside_class(self, char: str) -> None:
        if char == "[":
            self._open_class()
        elif char == "(":
            text, self.index = _translate_group_opening(self.pattern, self.index)
            self.out.append(text)
            self.group_weights.append(1)
        elif char == "{":
            self._brace()
        elif char in "*+?":
            self.out.append(char)
            self.index = _after_quantifier(self.pattern, self.index + 1, self.out)
        else:
            self.out.append(_OUTSIDE_CLASS_CHARACTERS.get(char, char))
            self.index += 1

    def _open_class(self) -> None:
        pattern = self.pattern
        if pattern.startswith("[]", self.index):
            self.out.append("(?!)")  # ECMA: empty class, matches nothing
            self.index += 2
        elif pattern.startswith("[^]", self.index):
            self.out.append(r"[\s\S]")  # ECMA: any character at all
            self.index += 3
        else:
            self.in_class = True
            self.out.append("[")
            self.index += 1
            if self.index < len(pattern) and pattern[self.index] == "^":
                self.out.append("^")
                self.index += 1

    def _brace(self) -> None:
        braces = _QUANTIFIER_BRACES.match(self.pattern, self.index)
        if braces is None:
            self.out.append(r"\{")
            self.index += 1
        else:
            self.out.append(braces.group(0))
            self.index = _after_quantifier(self.pattern, braces.end(), self.out)


def _upper_repetition_bound(braces: _stdlib_re.Match[str] | None) -> int:
    """How many copies a counted quantifier may make; 1 for ``*``, ``+``, ``?`` and
    open ranges, which compile to loops rather than copies."""
    if braces is None:
        return 1
    if braces.group(2) is None:  # {n}
        return int(braces.group(1))
    upper = braces.group(3)
    return int(upper) if upper else 1


def _after_quantifier(pattern: str, index: int, out: list[str]) -> int:
    if index < len(pattern) and pattern[index] == "?":
        out.append("?")  # lazy quantifier, same in both dialects
        index += 1
    if index < len(pattern) and pattern[index] == "+":
        raise InvalidEcmaPattern("possessive quantifiers are not ECMA-262 (nothing to repeat)")
    return index


def _translate_group_opening(pattern: str, index: int) -> tuple[str, int]:
    following = pattern[index + 1 : index + 2]
    if following == "*":
        raise InvalidEcmaPattern("nothing to repeat after '('")
    if following != "?":
        return "(", index + 1
    for opening in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
        if pattern.startswith(opening, index):
            return opening, index + len(opening)
    name = _GROUP_NAME.match(pattern, index + 2)
    if name is not None:
        return f"(?P<{name.group(1)}>", name.end()
    raise InvalidEcmaPattern(
        f"unsupported group syntax at position {index}: ECMA-262 allows only "
        "(?:...), (?=...), (?!...), (?<=...), (?<!...) and (?<name>...)"
    )


# Escapes that stand for a set of characters: (inside a character class, outside one).
_CLASS_ESCAPES: dict[str, tuple[str, str]] = {
    "d": ("0-9", "[0-9]"),
    "D": (r"\D", "[^0-9]"),
    "w": (_ASCII_WORD, f"[{_ASCII_WORD}]"),
    "W": (r"\W", f"[^{_ASCII_WORD}]"),
    "s": (_ECMA_WHITESPACE, f"[{_ECMA_WHITESPACE}]"),
    "S": (r"\S", f"[^{_ECMA_WHITESPACE}]"),
    "b": (r"\x08", r"(?a:\b)"),  # backspace in a class, ASCII word boundary outside
}


def _translate_escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    """The translation of the escape whose backslash is at ``index``, and the index after it."""
    if index + 1 >= len(pattern):
        raise InvalidEcmaPattern("pattern ends with a lone backslash")
    char = pattern[index + 1]
    after = index + 2
    class_escape = _CLASS_ESCAPES.get(char)
    if class_escape is not None:
        return (class_escape[0] if in_class else class_escape[1]), after
    if char in _SHARED_CONTROL_ESCAPES:
        return "\\" + char, after
    translate = _ESCAPES_READING_ON.get(char)
    if translate is not None:
        return translate(pattern, index, in_class)
    if char.isascii() and char.isalnum():
        raise InvalidEcmaPattern(f"\\{char} is not a valid ECMA-262 escape")
    # Identity escape of punctuation: a literal character.
    return regex.escape(char), after


# The escapes below share _translate_escape's signature: ``index`` is the backslash's.


def _non_word_boundary(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    if in_class:
        raise InvalidEcmaPattern(r"\B is not allowed in a character class")
    return r"(?a:\B)", index + 2


def _control_letter(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    after = index + 2
    letter = pattern[after : after + 1]
    if not ("a" <= letter.lower() <= "z"):
        raise InvalidEcmaPattern(r"\c must be followed by a letter")
    return f"\\x{ord(letter) % 32:02x}", after + 1


def _hex_escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    after = index + 2
    if _HEX2.match(pattern, after) is None:
        raise InvalidEcmaPattern(r"\x must be followed by two hex digits")
    return pattern[index : after + 2], after + 2


def _unicode_escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    after = index + 2
    braced = _BRACED_HEX.match(pattern, after)
    if braced is not None:
        code_point = int(braced.group(1), 16)
        if code_point > 0x10FFFF:
            raise InvalidEcmaPattern(r"\u{...} code point out of range")
        return f"\\U{code_point:08x}", braced.end()
    if _HEX4.match(pattern, after) is None:
        raise InvalidEcmaPattern(r"\u must be followed by four hex digits or {code point}")
    code_unit = int(pattern[after : after + 4], 16)
    end = after + 4
    # In unicode mode a surrogate pair written as two escapes is one code point.
    if 0xD800 <= code_unit <= 0xDBFF and pattern.startswith("\\u", end) and _HEX4.match(pattern, end + 2):
        low = int(pattern[end + 2 : end + 6], 16)
        if 0xDC00 <= low <= 0xDFFF:
            code_point = 0x10000 + ((code_unit - 0xD800) << 10) + (low - 0xDC00)
            return f"\\U{code_point:08x}", end + 6
    return f"\\u{code_unit:04x}", end


def _property_escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    char = pattern[index + 1]
    body = _PROPERTY_BODY.match(pattern, index + 2)
    if body is None:
        raise InvalidEcmaPattern(f"\\{char} must be followed by {{property}}")
    return "\\" + char + body.group(0), body.end()


def _named_back_reference(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    name = _GROUP_NAME.match(pattern, index + 2)
    if name is None or in_class:
        raise InvalidEcmaPattern(r"\k must be followed by <group name> outside a class")
    return f"(?P={name.group(1)})", name.end()


def _null_character(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    after = index + 2
    if pattern[after : after + 1].isdigit():
        raise InvalidEcmaPattern("octal escapes are not ECMA-262 (unicode mode)")
    return r"\x00", after


def _numbered_back_reference(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    if in_class:
        raise InvalidEcmaPattern("back-references are not allowed in a character class")
    digits = _DIGITS.match(pattern, index + 1)
    assert digits is not None
    return f"\\g<{digits.group(0)}>", digits.end()


# Escapes whose translation depends on what follows them (or on being inside a class).
_ESCAPES_READING_ON: dict[str, Callable[[str, int, bool], tuple[str, int]]] = {
    "B": _non_word_boundary,
    "c": _control_letter,
    "x": _hex_escape,
    "u": _unicode_escape,
    "p": _property_escape,
    "P": _property_escape,
    "k": _named_back_reference,
    "0": _null_character,
    **dict.fromkeys("123456789", _numbered_back_reference),
}


@lru_cache(maxsize=1024)
def compile_ecma(pattern: str) -> regex.Pattern[str]:
    translated = translate_ecma_regex(pattern)
    try:
        return regex.compile(translated, regex.V0)
    except (regex.error, OverflowError, RecursionError) as error:
        raise InvalidEcmaPattern(str(error)) from None


def ecma_pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` is not an acceptable ECMA-262 regex, or None when it is."""
    try:
        compile_ecma(pattern)
    except InvalidEcmaPattern as error:
        return str(error)
    return None


# One pathological match may cost this much before the value is reported invalid.
PATTERN_MATCH_TIMEOUT_SECONDS = 0.1
# Total regex time one ``validate`` call may spend; bounds documents with many strings
# that each hit the per-match timeout.
PATTERN_TIME_BUDGET_SECONDS = 1.0


class ValidationContext:
    """State of one ``validate`` call (one per call, never shared): the regex time left,
    and the validator's precompiled patterns (so a schema with more patterns than the
    shared cache holds does not recompile them on every call)."""

    __slots__ = ("remaining", "patterns")

    def __init__(self, seconds: float, patterns: Mapping[str, regex.Pattern[str]]) -> None:
        self.remaining = seconds
        self.patterns = patterns


# Greenlets (gevent) and threads each see their own value.
validation_context: contextvars.ContextVar[ValidationContext | None] = contextvars.ContextVar(
    "json_schema_validation_context", default=None
)


def pattern_matches(pattern: str, text: str) -> bool:
    """ECMA ``search`` semantics; raises TimeoutError (time spent) or InvalidEcmaPattern."""
    context = validation_context.get()
    if context is None:
        return compile_ecma(pattern).search(text, timeout=PATTERN_MATCH_TIMEOUT_SECONDS, concurrent=True) is not None
    compiled = context.patterns.get(pattern) or compile_ecma(pattern)
    if context.remaining <= 0:
        raise TimeoutError("regex time budget for this document is spent")
    timeout = min(PATTERN_MATCH_TIMEOUT_SECONDS, context.remaining)
    step_left = budget_left()
    started = time.perf_counter()
    try:
        # concurrent: the GIL is released while matching, so a long match on a compute thread
        # does not hold up the worker's other requests.
        return (
            compiled.search(text, timeout=timeout if step_left is None else min(timeout, step_left), concurrent=True)
            is not None
        )
    except TimeoutError:
        if step_left is not None and step_left < timeout:
            budget_spent()  # the step's budget ran out, not the match's own limit
        raise
    finally:
        context.remaining -= time.perf_counter() - started


def pattern_matches_or_unknown(pattern: str, text: str) -> bool:
    """For bookkeeping (which keys are 'covered'): an unanswerable match counts as a match,
    because the ``patternProperties`` keyword itself reports the failure."""
    try:
        return pattern_matches(pattern, text)
    except (TimeoutError, InvalidEcmaPattern):
        return True

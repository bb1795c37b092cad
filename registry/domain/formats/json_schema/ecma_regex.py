"""ECMA-262 regular expressions, as JSON Schema means them, run by the ``regex`` package.

``pattern``, ``patternProperties`` and ``format: "regex"`` use ECMA-262 semantics: each
pattern is translated (``translate_ecma_regex``) and compiled once (``compile_ecma``).
Matching runs with a per-match timeout and a per-validation time budget
(``pattern_matching``), so a catastrophic pattern cannot hang a worker.
"""

from __future__ import annotations

import re as _stdlib_re  # only for fixed, linear patterns written in this module
from functools import lru_cache

import regex


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
    out: list[str] = []
    index = 0
    length = len(pattern)
    in_class = False
    # Largest product of repetition bounds inside each open group (the root is index 0),
    # and that of the group just closed while the next token may still quantify it.
    group_weights = [1]
    closed_group_weight: int | None = None

    def quantified(bound: int) -> None:
        weight = (closed_group_weight or 1) * max(bound, 1)
        if weight > _MAX_REPETITION_WEIGHT:
            raise InvalidEcmaPattern(
                f"nested repetition counts multiply to {weight}, more than {_MAX_REPETITION_WEIGHT}"
            )
        group_weights[-1] = max(group_weights[-1], weight)

    while index < length:
        char = pattern[index]
        if char == ")" and not in_class:
            inner = group_weights.pop() if len(group_weights) > 1 else 1
            group_weights[-1] = max(group_weights[-1], inner)
            closed_group_weight = inner
            out.append(")")
            index += 1
            continue
        if not in_class and char in "*+?{":
            match = _QUANTIFIER_BRACES.match(pattern, index) if char == "{" else None
            if char != "{" or match is not None:
                quantified(_upper_repetition_bound(match))
        closed_group_weight = None
        if char == "\\":
            text, index = _translate_escape(pattern, index, in_class)
            out.append(text)
            continue
        if in_class:
            if char == "]":
                in_class = False
                out.append("]")
            elif char in "[&~|":
                # Literal in ECMA; nested sets / set operators in ``regex``.
                out.append("\\" + char)
            else:
                out.append(char)
            index += 1
            continue
        if char == "[":
            if pattern.startswith("[]", index):
                out.append("(?!)")  # ECMA: empty class, matches nothing
                index += 2
            elif pattern.startswith("[^]", index):
                out.append(r"[\s\S]")  # ECMA: any character at all
                index += 3
            else:
                in_class = True
                out.append("[")
                index += 1
                if index < length and pattern[index] == "^":
                    out.append("^")
                    index += 1
            continue
        if char == ".":
            out.append(_ECMA_DOT)
        elif char == "$":
            out.append(r"\Z")
        elif char == "(":
            text, index = _translate_group_opening(pattern, index)
            out.append(text)
            group_weights.append(1)
            continue
        elif char == "{":
            match = _QUANTIFIER_BRACES.match(pattern, index)
            if match is None:
                out.append(r"\{")
            else:
                out.append(match.group(0))
                index = _after_quantifier(pattern, match.end(), out)
                continue
        elif char == "}":
            out.append(r"\}")
        elif char in "*+?":
            out.append(char)
            index = _after_quantifier(pattern, index + 1, out)
            continue
        else:
            out.append(char)
        index += 1
    if in_class:
        raise InvalidEcmaPattern("unterminated character class")
    return "".join(out)


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


def _translate_escape(pattern: str, index: int, in_class: bool) -> tuple[str, int]:
    if index + 1 >= len(pattern):
        raise InvalidEcmaPattern("pattern ends with a lone backslash")
    char = pattern[index + 1]
    after = index + 2
    if char == "d":
        return ("0-9" if in_class else "[0-9]"), after
    if char == "D":
        return (r"\D" if in_class else "[^0-9]"), after
    if char == "w":
        return (_ASCII_WORD if in_class else f"[{_ASCII_WORD}]"), after
    if char == "W":
        return (r"\W" if in_class else f"[^{_ASCII_WORD}]"), after
    if char == "s":
        return (_ECMA_WHITESPACE if in_class else f"[{_ECMA_WHITESPACE}]"), after
    if char == "S":
        return (r"\S" if in_class else f"[^{_ECMA_WHITESPACE}]"), after
    if char == "b":
        return (r"\x08" if in_class else r"(?a:\b)"), after
    if char == "B":
        if in_class:
            raise InvalidEcmaPattern(r"\B is not allowed in a character class")
        return r"(?a:\B)", after
    if char in _SHARED_CONTROL_ESCAPES:
        return "\\" + char, after
    if char == "c":
        letter = pattern[after : after + 1]
        if not ("a" <= letter.lower() <= "z"):
            raise InvalidEcmaPattern(r"\c must be followed by a letter")
        return f"\\x{ord(letter) % 32:02x}", after + 1
    if char == "x":
        if _HEX2.match(pattern, after) is None:
            raise InvalidEcmaPattern(r"\x must be followed by two hex digits")
        return pattern[index : after + 2], after + 2
    if char == "u":
        return _translate_unicode_escape(pattern, after)
    if char in "pP":
        body = _PROPERTY_BODY.match(pattern, after)
        if body is None:
            raise InvalidEcmaPattern(f"\\{char} must be followed by {{property}}")
        return "\\" + char + body.group(0), body.end()
    if char == "k":
        name = _GROUP_NAME.match(pattern, after)
        if name is None or in_class:
            raise InvalidEcmaPattern(r"\k must be followed by <group name> outside a class")
        return f"(?P={name.group(1)})", name.end()
    if char == "0":
        if pattern[after : after + 1].isdigit():
            raise InvalidEcmaPattern("octal escapes are not ECMA-262 (unicode mode)")
        return r"\x00", after
    if char in "123456789":
        if in_class:
            raise InvalidEcmaPattern("back-references are not allowed in a character class")
        digits = _DIGITS.match(pattern, index + 1)
        assert digits is not None
        return f"\\g<{digits.group(0)}>", digits.end()
    if char.isascii() and char.isalnum():
        raise InvalidEcmaPattern(f"\\{char} is not a valid ECMA-262 escape")
    # Identity escape of punctuation: a literal character.
    return regex.escape(char), after


def _translate_unicode_escape(pattern: str, after: int) -> tuple[str, int]:
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

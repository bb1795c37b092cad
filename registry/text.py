"""Small text helpers shared across layers."""


def first_line(exc: BaseException) -> str:
    """An exception's message cut to its first line (driver errors run over several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

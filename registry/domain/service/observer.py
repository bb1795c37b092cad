"""What the service tells its observer (metrics) about the outcomes of its use cases."""

from __future__ import annotations

from typing import Protocol


class ServiceObserver(Protocol):
    """Outcome counters: each call names one result, e.g. ``created`` or ``incompatible``."""

    def registration(self, result: str) -> None: ...

    def validation(self, result: str) -> None: ...

    def compatibility_check(self, result: str) -> None: ...


class NullServiceObserver:
    """The default observer: records nothing."""

    def registration(self, result: str) -> None:
        pass

    def validation(self, result: str) -> None:
        pass

    def compatibility_check(self, result: str) -> None:
        pass

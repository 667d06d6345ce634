"""Stages of a long read, for whoever listens (issue 14: a spinner alone for 30–100 s).

The library says what it is doing (`report("transcoding", file, done, total)`); nobody listens by
default and a report costs one comparison. The CLI listens while a read runs and shows the
stages on stderr when it is a terminal. Standard library only; never a cell value in a stage,
only file names and byte counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    name: str  # reading, transcoding, counting
    source: str = ""  # the file, where the stage is about one
    done: int | None = None  # bytes done so far (transcoding)
    total: int | None = None  # bytes in all


Listener = Callable[[Stage], None]
_listeners: list[Listener] = []


def report(name: str, source: str = "", done: int | None = None, total: int | None = None) -> None:
    if _listeners:
        stage = Stage(name, source, done, total)
        for listener in _listeners:
            listener(stage)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)

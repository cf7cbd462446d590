"""Counts generated cases so the run can say how many it checked."""

COUNT = 0


def add(n: int = 1) -> None:
    global COUNT
    COUNT += n

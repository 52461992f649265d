"""The shipped models: ``small`` (iCE40 UP5K budget) and ``large`` (ECP5-85F budget)."""

from __future__ import annotations

from pathlib import Path

SHIPPED = ("small", "large")


def shipped_path(name: str) -> Path | None:
    """Path of a shipped model file, or ``None`` if ``name`` is not one."""
    if name not in SHIPPED:
        return None
    return Path(__file__).resolve().parent / f"{name}.trnn"

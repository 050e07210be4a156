"""Counting events per key in a fixed window, in Django's cache (shared by every process once
the cache is: docs/operations.md)."""

from __future__ import annotations

from django.core.cache import cache


def count(key: str, window: int) -> int:
    """Count one more event for `key`; how many there have been in its window (which starts at
    the first event and lasts `window` seconds)."""
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.set(key, 1, window)
        return 1


def hit(key: str, limit: int, window: int = 3600) -> bool:
    """Count one more event for `key`; whether it is within `limit` for the window."""
    return count(key, window) <= limit


def seen(key: str) -> int:
    """How many events `key` has in its current window, counting none."""
    return int(cache.get(key, 0))

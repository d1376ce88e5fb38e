"""What Python 3.10 lacks of 3.11's asyncio, which the engine's deadlines and cancels use.

The README promises 3.10 (VS Code users run the bundled server on their own Python), so
``timeout`` comes from async-timeout there (where asyncio.timeout came from; it raises
``asyncio.TimeoutError``, which 3.11 made the builtin one), and whether a task is being
cancelled is unknown there (3.10 keeps no count): taken as no.
"""

from __future__ import annotations

import asyncio
import sys

if sys.version_info >= (3, 11):
    from asyncio import timeout
else:
    from async_timeout import timeout

__all__ = ["cancelling", "timeout"]


def cancelling(task: asyncio.Task[object] | None) -> bool:
    """Whether ``task`` has a cancel pending that it has not taken back."""
    if task is None or sys.version_info < (3, 11):
        return False
    return task.cancelling() > 0

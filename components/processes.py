"""Whether a process runs, for the files that record one (a Pusher's staging folder, the Beam services)."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, and belongs to another user
        return True
    return True

"""Processes of this host, by pid (no Django, no third-party imports: the CLI uses it before
Django starts)."""

from __future__ import annotations

import os


def running(pid: int) -> bool:
    """True while process ``pid`` exists on this host (also when another user owns it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""The marker that makes a function a Haat hook implementation."""

from __future__ import annotations

import pluggy

__all__ = ["hookimpl"]

#: Marks a module-level function as an implementation of the Haat hook of the same name.
hookimpl = pluggy.HookimplMarker("haat")

"""Who is coding: one function that the codes, the memos and the audit trail
all ask (a module of its own, so that they need not import one another)."""

from __future__ import annotations

from tacompanion.store.study import Study


def resolve_coder(study: Study, given: str | None = None) -> str:
    """Who is coding: --coder, else the study's default coder, else the login name."""
    if given and given.strip():
        return given.strip()
    default = study.setting("default_coder", "")
    if default:
        return default
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "coder"

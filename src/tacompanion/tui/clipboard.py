"""Copying a quote: the system clipboard through pyperclip, else the
terminal's own clipboard (OSC 52, which Textual sends), never a crash.

pyperclip is imported here, when something is copied, not at start-up (as
Posting does). Where it finds no clipboard (a headless machine, no xclip or
wl-copy) it raises PyperclipException; over SSH OSC 52 still reaches the
user's terminal, if that terminal allows it.
"""

from __future__ import annotations

from textual.app import App

SYSTEM = "the system clipboard"
TERMINAL = "the terminal's clipboard (OSC 52)"


def copy_text(app: App, text: str) -> str | None:
    """Copy `text`; returns where it went (SYSTEM or TERMINAL), None if nowhere."""
    try:
        import pyperclip

        pyperclip.copy(text)
        return SYSTEM
    except Exception:  # noqa: BLE001 - PyperclipException, a missing helper, an OS error
        pass
    try:
        app.copy_to_clipboard(text)
        return TERMINAL
    except Exception:  # noqa: BLE001 - never crash for want of a clipboard
        return None


def copy_quote(app: App, text: str, participant: str, kind: str = "transcript") -> tuple[str, str | None]:
    """Copy an extract as '"…" (P3)' with the study's redaction list applied.
    Returns (the quote, where it went)."""
    from tacompanion.core.quotes import quote_text
    from tacompanion.store.redactions import redactor

    quote = redactor(app.study)(quote_text(text, participant, kind))  # type: ignore[attr-defined]
    return quote, copy_text(app, quote)


def copied_message(quote: str, where: str | None) -> str:
    short = quote
    if len(quote) > 70:  # keep the attribution in sight
        text, sep, who = quote.rpartition('" (')
        short = text[:50].rstrip() + "…" + sep + who
    if where is None:
        return f"Could not copy: no clipboard here ({short})."
    return f"Copied to {where}: {short}"

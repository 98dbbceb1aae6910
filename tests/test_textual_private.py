"""The two places where tacompanion still leans on Textual's private API, each
kept on purpose (the reason is beside the code), and checked here so that a
Textual upgrade that changes them fails loudly instead of silently:

- `DOMNode._bindings` (tui/widgets/key_bar.py `node_bindings`): a node's own
  bindings, for the help screen, the key bar, the palette and the note line.
- `App._handle_exception` (tui/app.py): a study file that fails under the app
  ends it with one message instead of a traceback.

And the note line's keys go through a public `on_key` handler: checked here
too, since it relies on Textual calling a subclass's handler before Input's.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.widgets.key_bar import node_bindings, own_bindings

DATA = Path(__file__).parent / "data" / "study-v2.db"


class Base(Screen):
    BINDINGS = [Binding("ctrl+b", "base", "Base", id="t.base")]


class Keys(Base):
    BINDINGS = [
        Binding("ctrl+k,f5", "keys", "Keys", id="t.keys"),
        Binding("home", "home", "Home", id="t.home"),  # also an Input key
    ]

    def compose(self) -> ComposeResult:
        yield Input(id="field")


class Alone(Base, inherit_bindings=False):
    BINDINGS = [Binding("ctrl+a", "alone", "Alone", id="t.alone")]

    def compose(self) -> ComposeResult:
        yield Static("alone")


async def test_node_bindings_are_the_declared_ones_merged_along_the_classes():
    app = App()
    async with app.run_test() as pilot:
        keys = Keys()
        await app.push_screen(keys)
        await pilot.pause()
        declared = node_bindings(keys)
        ours = {k: [b.id for b in bs] for k, bs in declared.items() if any(b.id for b in bs)}
        assert ours == {
            "ctrl+b": ["t.base"], "ctrl+k": ["t.keys"], "f5": ["t.keys"], "home": ["t.home"],
        }
        assert all(isinstance(b, Binding) for bs in declared.values() for b in bs)
        # The screen's Home is its own even though the focused Input binds Home too:
        # what active_bindings (public) cannot say.
        assert keys.focused is keys.query_one("#field")
        assert keys.active_bindings["home"].node is not keys
        assert ("home", "t.home") in {(key, b.id) for _node, key, b in own_bindings(keys)}

        alone = Alone()
        await app.push_screen(alone)
        await pilot.pause()
        ours = {k: [b.id for b in bs] for k, bs in node_bindings(alone).items() if any(b.id for b in bs)}
        assert ours == {"ctrl+a": ["t.alone"]}


def _app(tmp_path: Path) -> tuple[TacompanionApp, Study]:
    path = tmp_path / "study.db"
    shutil.copy(DATA, path)
    study = Study.open(path)
    return TacompanionApp(study, coder="kim"), study


class Failing(Screen):
    def on_mount(self) -> None:
        raise sqlite3.DatabaseError("database disk image is malformed")


async def test_a_database_error_in_a_handler_reaches_the_apps_exception_hook(tmp_path):
    app, study = _app(tmp_path)
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            app.push_screen(Failing())
            for _ in range(500):  # the app leaves: wait on the event loop, not on its screens
                if app.study_failure is not None:
                    break
                await asyncio.sleep(0.02)
        assert app.study_failure is not None, "Textual no longer calls App._handle_exception"
        assert "damaged" in str(app.study_failure) and str(study.path) in str(app.study_failure)
        assert app.return_code == 1
    finally:
        study.close()


async def test_the_note_lines_key_handler_runs_before_inputs(tmp_path):
    """A key the interview screen binds is taken by the note line for the
    screen, even one Input binds too (Home), and letters are typed. Were
    Input's handler first, Home would move the cursor: "ba", and no jump."""
    from tacompanion.tui.interview.interview import NoteLine

    taken: list[str] = []

    class Room(Screen):
        BINDINGS = [Binding("home", "jump", "Jump", id="t.jump")]

        def compose(self) -> ComposeResult:
            yield NoteLine(id="note")

        def probe_picker_key(self, key: str, character: str | None) -> bool:
            return False

        def action_jump(self) -> None:
            taken.append("jump")

    app = App()
    async with app.run_test() as pilot:
        room = Room()
        await app.push_screen(room)
        await pilot.pause()
        line = room.query_one(NoteLine)
        line.focus()
        await pilot.pause()
        await pilot.press("a", "home", "b")
        for _ in range(200):
            await pilot.pause()
            if line.value == "ab" and taken:
                break
        assert line.value == "ab"
        assert taken == ["jump"]

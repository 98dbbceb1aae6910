"""The fuzzy picker, driven by keys."""

from __future__ import annotations

from textual.app import App

from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked

ITEMS = [(1, "Silence in the group"), (2, "Shame"), (3, "Therapist silence")]


class PickerApp(App):
    def __init__(self, **kwargs):
        super().__init__()
        self.kwargs = kwargs
        self.result = "unset"

    def on_mount(self) -> None:
        self.push_screen(FuzzyPicker("Code", ITEMS, **self.kwargs), self.done)

    def done(self, result) -> None:
        self.result = result


async def pick(keys, **kwargs):
    app = PickerApp(**kwargs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
    return app.result


async def test_best_match_is_taken_with_enter():
    assert await pick(["s", "h", "a", "enter"]) == Picked(item_id=2)
    assert await pick(["t", "h", "e", "r", "enter"]) == Picked(item_id=3)


async def test_down_moves_the_choice_while_typing_continues():
    assert await pick(["s", "i", "l", "down", "enter"]) == Picked(item_id=3)


async def test_nothing_matches_so_enter_creates():
    assert await pick([*"guilt", "enter"], allow_create=True) == Picked(new_name="guilt")


async def test_without_create_enter_on_no_match_keeps_the_picker_open():
    app = PickerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"guilt", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FuzzyPicker)
    assert app.result == "unset"


async def test_create_is_offered_even_when_something_matches_partly():
    # "silen" matches two codes; the create entry sits after them.
    result = await pick([*"silen", "down", "down", "enter"], allow_create=True)
    assert result == Picked(new_name="silen")


async def test_escape_cancels():
    assert await pick(["s", "escape"]) is None


async def test_exact_name_offers_no_duplicate_create():
    app = PickerApp(allow_create=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"shame")
        await pilot.pause()
        options = app.screen.query_one("#picker-list")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["2"]

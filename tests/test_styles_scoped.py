"""Styles that cannot leak. Once a screen has been shown, Textual applies its
stylesheet app-wide, so a rule written as a bare `#notes-box` would restyle
every screen that has a widget of that id (reproduced: the notes pop-up's
`#notes-box` gave the reading screen's side panel a height of 90% and a
rounded border). Every rule is therefore qualified by its screen.

Two checks: every rule of every stylesheet starts with the class of a screen
that loads it; and each screen's widgets look the same whether the other
screens were shown before it or not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.css.model import SelectorType
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

import tacompanion.tui as tui_package
from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp

DATA = Path(__file__).parent / "data" / "study-v2.db"
TUI = Path(tui_package.__file__).parent

STYLE_PROPERTIES = (
    "display", "width", "height", "min_width", "max_width", "min_height", "max_height",
    "margin", "padding", "border", "border_left", "border_top", "background", "color",
    "text_style", "align", "layout", "dock",
)


def screens_loading(tcss: Path) -> set[str]:
    """The names of the screen classes whose CSS_PATH is this file (with the
    classes that derive from them), read from the modules beside it."""
    import importlib
    import inspect

    names: set[str] = set()
    for module_path in tcss.parent.glob("*.py"):
        relative = module_path.relative_to(TUI.parent.parent).with_suffix("")
        module = importlib.import_module(".".join(relative.parts))
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Screen) or cls.__module__ != module.__name__:
                continue
            paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH]
            if any(p is not None and Path(str(p)).name == tcss.name for p in paths):
                names.add(cls.__name__)
    if tcss == TUI / "home" / "home.tcss":
        names.add("HomeScreen")  # loaded by the app for its default screen
    return names


STYLESHEETS = sorted(TUI.rglob("*.tcss"))


def test_there_are_stylesheets_to_check():
    assert len(STYLESHEETS) >= 20


@pytest.mark.parametrize("tcss", STYLESHEETS, ids=lambda p: str(p.relative_to(TUI)))
def test_every_rule_is_qualified_by_a_screen_that_loads_it(tcss):
    owners = screens_loading(tcss)
    assert owners, f"{tcss.name}: no screen loads it"
    from textual.theme import BUILTIN_THEMES

    sheet = Stylesheet(variables=BUILTIN_THEMES["textual-dark"].to_color_system().generate())
    sheet.add_source(tcss.read_text(), read_from=(str(tcss), ""))
    sheet.parse()
    assert sheet.rules
    for rule in sheet.rules:
        for selector_set in rule.selector_set:
            first = selector_set.selectors[0]
            where = f"{tcss.name}: rule {rule.selector_names!r}"
            assert first.type == SelectorType.TYPE and first.name in owners, (
                f"{where} is not qualified by its screen ({', '.join(sorted(owners))})"
            )


# -- each screen after the others -------------------------------------------------------


def _screens(app: TacompanionApp) -> list[tuple[str, Screen]]:
    """Every screen that has a stylesheet, made ready to push on the demo study."""
    from tacompanion.tui.coding.coding import CodingScreen
    from tacompanion.tui.coding.documents import DocumentsScreen
    from tacompanion.tui.coding.hints import HintsScreen
    from tacompanion.tui.dialogs.backup import BackupScreen
    from tacompanion.tui.dialogs.codebook_entry import CodebookEntryScreen
    from tacompanion.tui.dialogs.help import HelpScreen
    from tacompanion.tui.dialogs.picker import FuzzyPicker
    from tacompanion.tui.dialogs.prompts import ConfirmScreen, MemoScreen, PromptScreen
    from tacompanion.tui.familiarise.import_transcripts import ImportScreen
    from tacompanion.tui.familiarise.notes_screen import NotesScreen
    from tacompanion.tui.familiarise.participant_question import WhichParticipantScreen
    from tacompanion.tui.familiarise.participants import ParticipantsScreen
    from tacompanion.tui.familiarise.reading import ReadingScreen
    from tacompanion.tui.familiarise.search import SearchScreen
    from tacompanion.tui.familiarise.transcripts import TranscriptsScreen
    from tacompanion.tui.home.home import HomeScreen
    from tacompanion.tui.interview.interview import InterviewScreen
    from tacompanion.tui.interview.interview_dialogs import OffsetScreen, ResumeScreen
    from tacompanion.tui.interview.interview_start import StartInterviewScreen
    from tacompanion.tui.thematic.agreement import AgreementScreen
    from tacompanion.tui.thematic.cooccurrence import CoOccurrenceScreen
    from tacompanion.tui.thematic.matrix import MatrixScreen
    from tacompanion.tui.thematic.prevalence_rule import PrevalenceRuleScreen
    from tacompanion.tui.thematic.review import ReviewScreen
    from tacompanion.tui.thematic.split_theme import SplitThemeScreen
    from tacompanion.tui.thematic.thematic_map import ThemeMapScreen
    from tacompanion.tui.writing.audit import AuditScreen
    from tacompanion.tui.writing.by_question import AnswersScreen, ByQuestionScreen
    from tacompanion.tui.writing.framework import FrameworkScreen
    from tacompanion.tui.writing.journal import JournalScreen
    from tacompanion.tui.writing.saturation import SaturationScreen

    return [
        ("home", HomeScreen()),
        ("notes pop-up", NotesScreen(1, "T1")),
        ("reading", ReadingScreen(1)),
        ("transcripts", TranscriptsScreen()),
        ("search", SearchScreen("")),
        ("import", ImportScreen()),
        ("which participant", WhichParticipantScreen("a.txt", ["Ana", "Ben"])),
        ("coding", CodingScreen("transcript", 1, "kim")),
        ("documents", DocumentsScreen("kim")),
        ("interview", InterviewScreen(1)),
        ("start interview", StartInterviewScreen()),
        ("offset", OffsetScreen(0)),
        ("resume", ResumeScreen("T1", "2026-03-02", 3)),
        ("prompt", PromptScreen("Name?")),
        ("confirm", ConfirmScreen("Sure?")),
        ("memo", MemoScreen("Memo", "text")),
        ("picker", FuzzyPicker("Pick", [(1, "one"), (2, "two")])),
        ("help", HelpScreen("Help", [("q", "Back")], [])),
        ("backup", BackupScreen()),
        ("map", ThemeMapScreen()),
        ("review", ReviewScreen("theme", 1)),
        ("matrix", MatrixScreen()),
        ("co-occurrence", CoOccurrenceScreen()),
        ("prevalence rule", PrevalenceRuleScreen()),
        ("split theme", SplitThemeScreen("Theme", [(1, "a code")])),
        ("journal", JournalScreen()),
        ("by question", ByQuestionScreen()),
        ("answers", AnswersScreen("Q1", [])),
        ("participants", ParticipantsScreen()),
        ("hints", HintsScreen(1, coder="kim")),
        ("audit", AuditScreen()),
        ("saturation", SaturationScreen()),
        ("agreement", AgreementScreen("kim", "lee")),
        ("codebook entry", CodebookEntryScreen("code", 1)),
        ("framework", FrameworkScreen()),
    ]


def _look(screen: Screen) -> dict[str, tuple]:
    """The computed style of every widget of the screen that has an id."""
    look = {}
    for widget in screen.query("*"):
        if widget.id is None:
            continue
        look[widget.id] = tuple(repr(getattr(widget.styles, name)) for name in STYLE_PROPERTIES)
    look["(screen)"] = tuple(repr(getattr(screen.styles, name)) for name in STYLE_PROPERTIES)
    return look


async def _looks_in_order(tmp_path: Path, order: list[str]) -> dict[str, dict[str, tuple]]:
    path = tmp_path / f"study-{order[0].replace(' ', '-')}.db"
    shutil.copy(DATA, path)
    study = Study.open(path)
    looks: dict[str, dict[str, tuple]] = {}
    try:
        app = TacompanionApp(study, coder="kim")
        async with app.run_test(size=(100, 30)) as pilot:
            screens = dict(_screens(app))
            for name in order:
                screen = screens[name]
                if name == "home":
                    screen = app.screen_stack[0]
                else:
                    await app.push_screen(screen)
                for _ in range(200):
                    await pilot.pause()
                    if app.screen is screen and screen.is_mounted:
                        break
                assert app.screen is screen, name
                await pilot.pause()
                looks[name] = _look(screen)
                if name != "home":
                    screen.dismiss() if hasattr(screen, "dismiss") and screen.is_modal else app.pop_screen()
                    for _ in range(200):
                        await pilot.pause()
                        if app.screen is app.screen_stack[0]:
                            break
    finally:
        study.close()
    return looks


def _screen_names() -> list[str]:
    return [
        "home", "notes pop-up", "reading", "transcripts", "search", "import", "which participant",
        "coding", "documents", "interview", "start interview", "offset", "resume", "prompt", "confirm",
        "memo", "picker", "help", "backup", "map", "review", "matrix", "co-occurrence",
        "prevalence rule", "split theme", "journal", "by question", "answers",
        "participants", "hints", "audit", "saturation", "agreement", "codebook entry", "framework",
    ]


async def test_each_screen_keeps_its_own_styles_after_the_others(tmp_path):
    """Every screen is shown in one order in one app and in the reverse order in
    another: a screen shown late has the others' stylesheets loaded, shown early
    it has not. Its widgets must look the same either way."""
    names = _screen_names()
    forward = await _looks_in_order(tmp_path, names)
    backward = await _looks_in_order(tmp_path, ["home", *reversed(names[1:])])
    assert set(forward) == set(backward) == set(names)
    for name in names:
        for widget_id, look in forward[name].items():
            assert backward[name].get(widget_id) == look, (
                f"{name}: #{widget_id} looks different when other screens were shown first"
            )


async def test_the_notes_pop_up_does_not_restyle_the_reading_side_panel(tmp_path):
    """The reproduced leak: `#notes-box` of the notes pop-up (90% high, a round
    border, the panel's background) on the reading screen's side panel."""
    fresh = await _looks_in_order(tmp_path, ["home", "reading"])
    after = await _looks_in_order(tmp_path, ["home", "notes pop-up", "reading"])
    assert after["reading"]["notes-box"] == fresh["reading"]["notes-box"]
    assert after["notes pop-up"]["notes-box"] != after["reading"]["notes-box"]


async def test_coding_and_interview_each_keep_their_status_line(tmp_path):
    fresh = await _looks_in_order(tmp_path, ["home", "interview", "coding"])
    after = await _looks_in_order(tmp_path, ["home", "coding", "interview"])
    assert fresh["interview"]["status"] == after["interview"]["status"]
    assert fresh["coding"]["status"] == after["coding"]["status"]

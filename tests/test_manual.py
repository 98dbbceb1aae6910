"""The README is the front door and the manual lives in docs/: the README
stays short, its links lead somewhere, CI runs its second command exactly,
and the help screen names the page of the moment it is opened on."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.dialogs.help import MANUAL_PAGES, HelpScreen
from tests.conftest import REPO, drawn_text

README = REPO / "README.md"
DATA = Path(__file__).parent / "data" / "study-v2.db"


def test_the_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    for heading in ("## What it is for", "## A short tour", "## Output and errors", "## The manual"):
        assert heading in text


def test_ci_runs_the_readmes_second_command_exactly():
    commands = re.findall(r"```sh\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S)
    second = commands[1].strip()
    assert "pytest" in second
    assert second in (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()


# The front door and the manual's pages that hold what the README used to say.
MANUAL = [README, *(REPO / "docs" / name for name in (
    "interview.md", "familiarise.md", "coding.md", "themes.md", "writing.md", "qdpx.md",
    "study-file.md", "commands.md", "development.md"))]


@pytest.mark.parametrize("page", MANUAL, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(page):
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8"))
    local = [link for link in links if "://" not in link]
    assert local or page != README
    for link in local:
        assert (page.parent / link).resolve().exists(), f"{page.name}: {link} does not exist"


def test_every_moment_has_its_page():
    assert set(MANUAL_PAGES) == {"home", "interview", "familiarise", "coding", "thematic", "writing"}
    for page in MANUAL_PAGES.values():
        assert (REPO / page).is_file(), page
        assert page in README.read_text(encoding="utf-8") or page == "README.md"


@pytest.mark.parametrize(
    ("start", "page"),
    [(None, "README.md"), (("transcript", 1), "docs/coding.md"), (("map", 0), "docs/themes.md")],
)
async def test_the_help_screen_names_the_page_of_its_moment(tmp_path, start, page):
    path = tmp_path / "study.db"
    shutil.copy(DATA, path)
    study = Study.open(path)
    try:
        app = TacompanionApp(study, coder="kim", start=start)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):
                await pilot.pause()
                if app.screen.is_mounted and (start is None or start[0] != "map" or len(app.screen_stack) > 1):
                    break
            app.action_help()
            for _ in range(200):
                await pilot.pause()
                if isinstance(app.screen, HelpScreen) and app.screen.is_mounted:
                    break
            await pilot.pause()
            text = " ".join(drawn_text(app.screen.query_one("#help-text")).split())
            assert f"The manual for this screen: {page}" in text
    finally:
        study.close()

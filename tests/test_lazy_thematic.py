"""The review and the participants x themes matrix read lazily (issue 16):
what they show, scrolled to the end, is what the plain computation of
everything at once gives (tests/reference_thematic.py), on a generated study
(bench/synth.py, small sizes) with notes, two coders and starred quotes; and
their first screen reads only what it shows."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import sys

import pytest
from rich.text import Text

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store import tallies
from tacompanion.store.analysis import analyse
from tacompanion.store.codes import apply_code, list_codes, remove_coding, set_starred
from tacompanion.store.study import Study
from tacompanion.store.thematic import (
    Extract,
    ExtractCode,
    ExtractList,
    cooccurrences,
    extracts_for,
    participant_theme_matrix,
    review_codes,
    review_extracts,
)
from tacompanion.store.themes import list_themes
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.thematic.matrix import MatrixScreen
from tacompanion.tui.thematic.review import ReviewScreen

from .conftest import REPO
from .reference_thematic import (
    as_tuple,
    reference_cells,
    reference_cooccurrences,
    reference_extracts,
    reference_matrix,
)

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

# 30 participants: more rows than an 80x24 screen shows
SIZES = dict(transcripts=30, words=400, codes=24, themes=4, codings=900, participants=30,
             interviews=2, memos=2, journal=1, seed=11)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("lazy") / "study.db"
    synth.make_study(path, **SIZES)
    with Study.open(path) as study:
        codes = [c.id for c in list_codes(study)]
        # codings on interview notes (synth codes transcripts only)
        # (most of them in a real interview, two in the pilot one, which never count)
        notes = study.conn.execute(
            "SELECT n.id, length(n.text) FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "ORDER BY i.pilot, n.id LIMIT 8").fetchall() + study.conn.execute(
            "SELECT n.id, length(n.text) FROM notes n JOIN interviews i ON i.id = n.interview_id "
            "WHERE i.pilot = 1 ORDER BY n.id LIMIT 2").fetchall()
        for n, (note_id, length) in enumerate(notes):
            if length > 4:
                apply_code(study, codes[n % len(codes)], DocRef(note_id=note_id), Span(0, length // 2), "kim")
                apply_code(study, codes[(n + 1) % len(codes)], DocRef(note_id=note_id), Span(0, length // 2), "kim")
        # a second coder on the same spans as the first (one code of the
        # extract for two codings), some of them starred by one coder only
        first = study.conn.execute(
            "SELECT code_id, transcript_id, start_pos, end_pos, id FROM codings "
            "WHERE transcript_id IS NOT NULL ORDER BY id LIMIT 60").fetchall()
        for code, tid, start, end, _ in first[::2]:
            apply_code(study, code, DocRef(transcript_id=tid), Span(start, end), "kim")
        set_starred(study, [r[4] for r in first[1::4]], True)
        set_starred(study, [r[0] for r in study.conn.execute(
            "SELECT id FROM codings WHERE coder = 'kim' ORDER BY id LIMIT 7")], True)
    return path


@pytest.fixture
def gen_study(generated):
    with Study.open(generated) as study:
        yield study


def biggest_theme(study: Study) -> int:
    return max((t.id for t in list_themes(study) if t.parent_id is None),
               key=lambda tid: len(reference_extracts(study, review_codes(study, "theme", tid))))


# -- the store -------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["all", "transcripts"])
@pytest.mark.parametrize("coders", [[], ["kim"]])
def test_lazy_extracts_are_the_reference(gen_study, scope, coders):
    study = gen_study
    study.set_setting("analysis_scope", scope)
    study.set_setting("analysis_coders", coders)
    targets = [(review_codes(study, "theme", t.id), t.id) for t in list_themes(study)]
    targets += [([c.id], None) for c in list_codes(study)[:6]]
    seen_notes = 0
    for code_ids, theme in targets:
        want = reference_extracts(study, code_ids)
        lazy = review_extracts(study, code_ids)
        # read in a scattered order: from the end, then all
        assert [as_tuple(lazy[i]) for i in range(len(lazy) - 1, -1, -7)] == want[::-1][::7]
        assert [as_tuple(e) for e in lazy] == want
        assert [tuple(lazy.place(i)) for i in range(len(lazy))] == [w[:7] for w in want]
        if theme is not None:
            # a whole theme: the groups from the kept cells, each one's places
            # read as needed (from the end first), and found again by key
            by_person = review_extracts(study, code_ids, theme_id=theme)
            assert by_person._spans is None
            assert [(g.participant_id, g.size) for g in by_person.groups] == \
                [(g.participant_id, g.size) for g in lazy.groups]
            assert [tuple(by_person.place(i)) for i in range(len(lazy) - 1, -1, -1)] == [w[:7] for w in want][::-1]
            assert [as_tuple(e) for e in by_person] == want
            assert [by_person.find(e.key) for e in lazy] == list(range(len(want)))
            assert by_person.find(("transcript", 10**6, 0, 1)) is None
        assert [as_tuple(e) for e in extracts_for(study, code_ids)] == want
        seen_notes += sum(1 for w in want if w[2] == "notes")
        if want:
            pid = want[-1][0]
            assert [as_tuple(e) for e in review_extracts(study, code_ids, participant_id=pid)] == \
                reference_extracts(study, code_ids, participant_id=pid)
            meeting = list_codes(study)[len(code_ids) % 5].id
            assert [as_tuple(e) for e in review_extracts(study, code_ids, meeting=meeting)] == \
                reference_extracts(study, code_ids, meeting=meeting)
    assert bool(seen_notes) == (scope == "all")  # kim coded notes
    assert len(review_extracts(study, [])) == 0


async def test_a_review_whose_kept_counts_are_wrong_is_read_again(generated, tmp_path):
    """The kept extracts per participant say one more than there are (as a
    bug would leave them): the review finds out when it reads that
    participant, marks the counts to be counted again, and shows the
    reference after reading again; the map's counts are right again."""
    copy = tmp_path / "study.db"
    shutil.copy(generated, copy)
    with Study.open(copy) as study:
        theme = biggest_theme(study)
        analyse(study)
        first = study.scalar(
            "SELECT c.participant_id FROM analysis_cells c JOIN participants p ON p.id = c.participant_id "
            "WHERE c.theme_id = ? ORDER BY p.pseudonym COLLATE NOCASE, p.id LIMIT 1", (theme,))
        with study.write():
            study.conn.execute("UPDATE analysis_cells SET extracts = extracts + 1 "
                               "WHERE theme_id = ? AND participant_id = ?", (theme, first))
        want = reference_extracts(study, review_codes(study, "theme", theme))
        app = TacompanionApp(study, coder="ana")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = ReviewScreen("theme", theme)
            await app.push_screen(screen)
            await pilot.pause()
            await pilot.pause()
            assert screen.extracts._spans is not None or [
                g.size for g in screen.extracts.groups] == [g.size for g in review_extracts(
                    study, review_codes(study, "theme", theme)).groups]
            assert [as_tuple(e) for e in screen.extracts] == want
            assert list(screen.rows) == reference_rows(want)
        assert analyse(study) == analyse(study, full=True)
        assert tallies.stored_cells(study.conn) == reference_cells(study)


@pytest.mark.parametrize("scope", ["all", "transcripts"])
@pytest.mark.parametrize("level", ["main", "all"])
def test_lazy_matrix_is_the_reference(gen_study, scope, level):
    study = gen_study
    study.set_setting("analysis_scope", scope)
    for coders in ([], ["kim"]):
        study.set_setting("analysis_coders", coders)
        people, themes, cells, total, labels = reference_matrix(study, level)
        m = participant_theme_matrix(study, level)
        assert (m.participants, m.themes, m.total, m.labels) == (people, themes, total, labels)
        assert m.present == {k for k, n in cells.items() if n}
        # one row at a time, from the last participant up, then all of them
        for pid, _ in reversed(people):
            assert {t: n for (p, t), n in cells.items() if p == pid and n} == m.row(pid)
        assert m.cells == {k: n for k, n in cells.items() if n}
    study.set_setting("analysis_coders", [])


@pytest.mark.parametrize("scope", ["all", "transcripts"])
def test_one_codes_cooccurrences_are_the_reference(gen_study, scope):
    """For one code, only its codings and those overlapping them are read;
    the pairs are those of the sweep over every document."""
    study = gen_study
    study.set_setting("analysis_scope", scope)
    for coders in ([], ["kim"]):
        study.set_setting("analysis_coders", coders)
        whole = reference_cooccurrences(study)
        assert [(c.code_a, c.code_b, c.shared, c.participants) for c in cooccurrences(study)] == whole
        for code in list_codes(study):
            got = [(c.code_a, c.code_b, c.shared, c.participants) for c in cooccurrences(study, code.id)]
            assert got == reference_cooccurrences(study, code.id)
            assert sorted(got) == sorted(p for p in whole if code.id in p[:2])
        assert any(len(reference_cooccurrences(study, c.id)) > 1 for c in list_codes(study))
    study.set_setting("analysis_coders", [])


# -- the screens --------------------------------------------------------------------------


def reference_rows(want: list[tuple]) -> list[tuple[str, int]]:
    rows, last = [], None
    for i, w in enumerate(want):
        if w[0] != last:
            rows.append(("head", i))
            last = w[0]
        rows.append(("extract", i))
    return rows


def as_extract(w: tuple) -> Extract:
    return Extract(*w[:8], tuple(ExtractCode(*c) for c in w[8]))


def check_visible(screen: ReviewScreen, want: list[tuple]) -> int:
    """The rows on screen are drawn as the reference data draws them; returns how many were checked."""
    view = screen.view
    width = view.scrollable_content_region.width
    lazy = screen.extracts
    sizes: dict[int, int] = {}
    for w in want:
        sizes[w[0]] = sizes.get(w[0], 0) + 1
    checked = 0
    for y in range(view.scrollable_content_region.height):
        r = view.scroll_offset.y + y
        if r >= len(screen.rows):
            break
        kind, i = screen.rows[r]
        if kind == "head":
            n = sizes[want[i][0]]
            expected = Text(f"{want[i][1]} · {n} extract{'s' if n != 1 else ''}")
        else:
            screen.extracts = {i: as_extract(want[i])}  # render_row asks for extract i only
            try:
                expected = screen.render_row(r)
            finally:
                screen.extracts = lazy
            assert as_tuple(lazy[i]) == want[i]
        drawn = view.render_line(y).text
        assert drawn.rstrip() == expected.plain[:width].rstrip(), (r, drawn, expected.plain)
        checked += 1
    return checked


async def test_review_scrolled_to_the_end_shows_the_reference(gen_study):
    study = gen_study
    theme = biggest_theme(study)
    want = reference_extracts(study, review_codes(study, "theme", theme))
    assert len(want) > 100
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = ReviewScreen("theme", theme)
        await app.push_screen(screen)
        await pilot.pause()
        assert list(screen.rows) == reference_rows(want)
        assert f"{len(want)} extracts" in str(screen.query_one("#review-title").render())
        checked = check_visible(screen, want)
        while screen.view.cursor < len(screen.rows) - 1:
            await pilot.press("pagedown")
            checked += check_visible(screen, want)
            assert as_tuple(screen.current()) == want[screen.rows[screen.view.cursor][1]]
        assert checked >= len(screen.rows)  # every row was on screen once
        await pilot.press("pageup", "pageup")
        check_visible(screen, want)
        await pilot.press("home")
        assert as_tuple(screen.current()) == want[0]
        await pilot.press("end")
        assert as_tuple(screen.current()) == want[-1]
        # the detail pane shows the extract under the cursor in full
        assert want[-1][7] in str(screen.query_one("#review-detail").render()).replace("\n", " ") or \
            " ".join(want[-1][7].split())[:30] in " ".join(str(screen.query_one("#review-detail").render()).split())
        # the next participant's heading, and back
        await pilot.press("home", "n")
        assert screen.current().participant == want[[w[0] for w in want].index(
            next(w[0] for w in want if w[0] != want[0][0]))][1]

        # recode an extract in the middle: the review matches the reference again
        middle = len(want) // 2
        screen.view.move_to(reference_rows(want).index(("extract", middle)))
        await pilot.pause()
        old = screen.current()
        other = next(c for c in list_codes(study) if c.id not in {k.code_id for k in old.codes})
        reviewed = next(c for c in old.codes if c.code_id in screen.code_ids)
        from tacompanion.store.thematic import recode

        recode(study, reviewed.coding_id, other.id, "ana")
        screen.after("Recoded.")
        await pilot.pause()
        want = reference_extracts(study, review_codes(study, "theme", theme))
        assert list(screen.rows) == reference_rows(want)
        check_visible(screen, want)
        still = screen.current()
        assert still is None or as_tuple(still) in want


@contextlib.contextmanager
def cells_kept_or_counted(study: Study, how: str):
    """"kept": the matrix reads the cells kept in the file. "counted": a
    coding was just applied and another window holds the write lock, so the
    kept counts cannot be brought up to date and stored: the matrix counts
    its rows from the codings as they scroll in."""
    if how == "kept":
        yield
        return
    code = study.scalar("SELECT id FROM codes WHERE theme_id IS NOT NULL ORDER BY id LIMIT 1")
    transcript = study.scalar("SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
                              "WHERE p.pilot = 0 ORDER BY t.id DESC LIMIT 1")
    coding = apply_code(study, code, DocRef(transcript_id=transcript), Span(0, 2), "ana")
    other = sqlite3.connect(study.path)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        remove_coding(study, coding)


@pytest.mark.parametrize("how", ["kept", "counted"])
async def test_matrix_scrolled_to_the_end_shows_the_reference(gen_study, how):
    study = gen_study
    with cells_kept_or_counted(study, how):
        await _matrix_scrolled_to_the_end(study, how)


async def _matrix_scrolled_to_the_end(study: Study, how: str) -> None:
    people, themes, cells, total, labels = reference_matrix(study)
    assert len(people) > 24
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = MatrixScreen()
        await app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one("#matrix")
        m = screen.matrix

        def expected(pid: int) -> list[str]:
            return [str(cells[(pid, tid)]) if cells.get((pid, tid)) else "·" for tid, _, _ in themes]

        last = people[-1][0]
        # "kept": every cell read from the file at once; "counted": below the
        # fold not counted yet. Either way a row is written out when it
        # scrolls in (the table's cost is its drawing), shown as … until then
        assert m.loaded(last) == (how == "kept")
        assert [str(c) for c in table.get_row(str(last))[1:]] == ["…"] * len(themes)

        def check_visible() -> set[int]:
            first = int(table.scroll_y)
            shown = set()
            for kind in screen.row_kinds[first:first + table.size.height - 1]:
                if kind is not None and kind[0] == "participant":
                    assert [str(c) for c in table.get_row(str(kind[1]))[1:]] == expected(kind[1])
                    shown.add(kind[1])
            return shown

        seen = check_visible()
        while table.cursor_coordinate.row < len(people) + 1:
            row = table.cursor_coordinate.row
            await pilot.press("pagedown")
            await pilot.pause()
            seen |= check_visible()
            if table.cursor_coordinate.row == row:
                break
        assert seen == {pid for pid, _ in people}
        # the people and label rows: the reference's, whatever was counted
        assert [str(c) for c in table.get_row("people")[1:]] == [f"{labels[t][0]}/{total}" for t, _, _ in themes]
        assert [str(c) for c in table.get_row("label")[1:]] == [
            (labels[t][1] or "-")[:screen.column_width] for t, _, _ in themes]
        # every theme and subtheme, the cursor kept at the bottom: the rows
        # around it are counted
        await pilot.press("up", "up", "up")  # on a participant (the last two rows are the totals)
        row = table.cursor_coordinate.row
        assert screen.row_kinds[row][0] == "participant"
        await pilot.press("l")
        await pilot.pause()
        assert table.cursor_coordinate.row == row
        people, themes, cells, total, labels = reference_matrix(study, "all")
        assert len(check_visible()) > 10
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert people[0][0] in check_visible()


@pytest.mark.parametrize("how", ["kept", "counted"])
async def test_matrix_groups_count_every_participant_without_counting_every_row(gen_study, how):
    study = gen_study
    with cells_kept_or_counted(study, how):
        await _matrix_groups(study, how)


async def _matrix_groups(study: Study, how: str) -> None:
    from tacompanion.store.attributes import matrix_groups

    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = MatrixScreen()
        await app.push_screen(screen)
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert screen.group_by == "role"  # synth's participants have a role
        full = participant_theme_matrix(study)
        reference = matrix_groups(study, full, "role")  # from every cell counted
        assert [(g.label, g.participants, g.counts) for g in screen.groups] == \
            [(g.label, g.participants, g.counts) for g in reference]
        loaded = sum(screen.matrix.loaded(pid) for pid, _ in full.participants)
        if how == "kept":
            assert loaded == len(full.participants)  # read from the file, not counted
        else:
            assert loaded < len(full.participants)


# -- what the first screen reads ------------------------------------------------------------


async def test_the_first_screens_read_only_what_they_show(gen_study):
    """The review's first screen cuts the text of a few documents (not of
    the 30 its extracts are in) and makes one chunk of extracts; the
    matrix reads the cells kept in the file, not a coding (when they
    cannot be stored it counts only the participants in view:
    test_matrix_scrolled_to_the_end_shows_the_reference)."""
    study = gen_study
    theme = biggest_theme(study)
    want = reference_extracts(study, review_codes(study, "theme", theme))
    documents = {(w[2], w[3]) for w in want}
    assert len(documents) >= 25
    statements: list[str] = []
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        study.conn.set_trace_callback(statements.append)
        try:
            screen = ReviewScreen("theme", theme)
            await app.push_screen(screen)
            await pilot.pause()
        finally:
            study.conn.set_trace_callback(None)
        texts_read = [s for s in statements if s.startswith("SELECT text FROM transcripts WHERE id")]
        assert 1 <= len(texts_read) <= 3, "\n".join(s[:150] for s in statements)
        assert not any("SELECT id, text FROM transcripts" in s for s in statements)
        lazy = screen.extracts
        assert isinstance(lazy, ExtractList) and len(lazy._made) <= ExtractList.CHUNK < len(want)
        app.pop_screen()
        await pilot.pause()

        analyse(study)  # the kept counts up to date (earlier tests changed the scope)
        statements.clear()
        study.conn.set_trace_callback(statements.append)
        try:
            matrix = MatrixScreen()
            await app.push_screen(matrix)
            await pilot.pause()
        finally:
            study.conn.set_trace_callback(None)
        people = matrix.matrix.participants
        assert len(people) == 29 and all(matrix.matrix.loaded(pid) for pid, _ in people)
        assert any("FROM analysis_cells" in s for s in statements)
        assert not [s for s in statements if "FROM codings" in s or "JOIN codings" in s], statements


async def test_framework_counts_its_rows_as_they_scroll_in(gen_study):
    """The framework by themes counts a participant's extracts when their
    row comes into view; scrolled to the end, every cell is what the
    framework read whole (store.framework.framework, backing counted) gives."""
    from tacompanion.store.framework import framework
    from tacompanion.tui.writing.framework import FrameworkScreen

    study = gen_study
    whole = framework(study, "themes")
    app = TacompanionApp(study, coder="ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = FrameworkScreen()
        await app.push_screen(screen)
        await pilot.pause()
        table = screen.query_one("#framework")
        last = whole.rows[-1].participant_id
        assert last not in screen.fw.backed
        assert {str(c)[-1] for c in table.get_row(f"p{last}")[1:]} == {"…"}

        def expected(pid: int) -> list[str]:
            out = []
            for c in whole.columns:
                cell = whole.cell(pid, c.key)
                out.append(f"{'✓' if cell.summary.strip() else ' '} {cell.backing or '·'}")
            return out

        def check_visible() -> set[int]:
            first = int(table.scroll_y)
            shown = set()
            for r in screen.table_rows[first:first + table.size.height - 1]:
                if r is not None:
                    assert [str(c) for c in table.get_row(f"p{r.participant_id}")[1:]] == expected(r.participant_id)
                    shown.add(r.participant_id)
            return shown

        seen = check_visible()
        for _ in range(len(screen.table_rows)):
            row = table.cursor_coordinate.row
            await pilot.press("pagedown")
            await pilot.pause()
            seen |= check_visible()
            if table.cursor_coordinate.row == row:
                break
        assert seen == {r.participant_id for r in whole.rows}
        assert any(r.pilot for r in whole.rows)  # the pilot's row counts its own extracts too

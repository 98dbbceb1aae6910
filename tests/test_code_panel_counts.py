"""The coding screen's code panel counts only the codes it draws (issue 16),
and what it shows is what counting every code gives: on a generated study
(bench/synth.py, small sizes) with codings by two coders, on notes and by
pilots."""

from __future__ import annotations

import shutil
import sys

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.store.codes import apply_code, code_labels, code_names, list_codes
from tacompanion.store.study import Study
from tacompanion.tui.app import TacompanionApp
from tacompanion.tui.coding.code_list import CodeList, code_counts

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402

SIZES = dict(transcripts=6, words=600, codes=120, themes=6, codings=900, participants=4,
             interviews=2, memos=2, journal=1, seed=11)


@pytest.fixture(scope="module")
def generated_study(tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "study.db"
    synth.make_study(path, **SIZES)
    with Study.open(path) as study:
        codes = [c.id for c in list_codes(study)]
        notes = study.conn.execute("SELECT id, length(text) FROM notes ORDER BY id LIMIT 5").fetchall()
        for n, (note_id, length) in enumerate(notes):
            if length > 4:
                apply_code(study, codes[n], DocRef(note_id=note_id), Span(0, length // 2), "kim")
        # some of the generated codings become kim's, so that `mine` differs from everyone's
        study.conn.execute("UPDATE codings SET coder = 'kim' WHERE id % 3 = 0")
        study.conn.commit()
    return path


@pytest.fixture
def generated(generated_study, tmp_path):
    path = tmp_path / "study.db"
    shutil.copy(generated_study, path)
    return path


def test_counting_some_codes_gives_what_counting_all_gives(generated):
    with Study.open(generated, create=False) as study:
        for coder in (None, "kim"):
            full = {c.id: c for c in list_codes(study, coder=coder)}
            assert any(c.mine for c in full.values()) == (coder is not None)
            assert any(c.left_out for c in full.values())  # pilot codings are there
            some = sorted(full)[5:40:3]
            assert {c.id: c for c in list_codes(study, coder=coder, ids=some)} == {i: full[i] for i in some}
            assert list_codes(study, ids=[]) == []
        # the names alone, in the same order, without counting
        assert [(c.id, c.name, c.theme) for c in code_labels(study)] == [
            (c.id, c.name, c.theme) for c in full.values()]
        assert code_names(study) == [(c.id, c.name) for c in full.values()]


async def test_the_panel_counts_the_rows_it_draws_and_they_match_every_code_counted(generated):
    with Study.open(generated, create=False) as study:
        tid = study.scalar("SELECT t.id FROM transcripts t JOIN participants p ON p.id = t.participant_id "
                           "WHERE p.pilot = 0 ORDER BY t.id")
        app = TacompanionApp(study, coder="kim", start=("transcript", tid))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = app.screen
            listing = screen.query_one(CodeList)
            asked: list[list[int]] = []
            counter = listing.counter

            def counting(ids: list[int]) -> list:
                asked.append(list(ids))
                return counter(ids)

            listing.counter = counting
            assert listing.count == SIZES["codes"]
            # At first paint, only the rows on screen (and a margin) were counted.
            height = listing.scrollable_content_region.height
            assert 0 < height < len(listing.counted) <= height + 2 * 10 + 1 < SIZES["codes"]
            # Each row drawn while paging to the end: counted once, when it first shows.
            full = {c.id: c for c in list_codes(study, coder="kim")}
            seen: dict[int, str] = {}
            while True:
                await pilot.pause()
                top = listing.scroll_offset.y
                for y in range(height):
                    if top + y < listing.count:
                        code = listing.codes[top + y]
                        seen[code.id] = listing.render_line(y).text
                if listing.cursor == listing.count - 1:
                    break
                listing.action_page(1)
            assert set(seen) == set(full)
            ids = [i for batch in asked for i in batch]
            assert len(ids) == len(set(ids))  # never counted twice
            for code_id, row in seen.items():
                assert row.rstrip().endswith(code_counts(full[code_id]).strip()), (row, full[code_id])
                assert len(row.rstrip()) <= listing.scrollable_content_region.width
            # after applying a code, its row is counted again, and only it
            asked.clear()
            screen.view.move_to(1)
            code_id = listing.codes[-1].id
            screen.apply_code(code_id)
            await pilot.pause()
            assert [i for batch in asked for i in batch] in ([], [code_id])  # list_codes(only=...) or the counter
            again = list_codes(study, coder="kim", only=code_id)[0]
            assert again.mine == full[code_id].mine + 1
            assert listing.render_line(height - 1).text.rstrip().endswith(code_counts(again).strip())
            # undo: the rows stay, the changed code is counted again when drawn, and only it
            asked.clear()
            screen.action_undo()
            await pilot.pause()
            listing.render_line(height - 1)
            assert [i for batch in asked for i in batch] == [code_id]
            assert listing.summary(listing.count - 1) == full[code_id]
            assert listing.render_line(height - 1).text.rstrip().endswith(code_counts(full[code_id]).strip())

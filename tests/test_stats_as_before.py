"""`stats` reads what it shows with its own small queries (issue 16); the
codes and themes must be exactly what the thematic map shows, in its order."""

from __future__ import annotations

import sys

from tacompanion.store.stats import analysis_stats
from tacompanion.store.study import Study

from .conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import synth  # noqa: E402


def analysis_stats_from_the_map(study: Study) -> dict:
    """analysis_stats as it was: read off store/thematic.thematic_map."""
    from tacompanion.store.thematic import thematic_map

    tmap = thematic_map(study)
    by_id = {t.id: t for t in tmap.themes}
    codes, themes = [], []
    own: dict[int, list[str]] = {t.id: [] for t in tmap.themes}
    for row in tmap.rows:
        if row.kind == "code":
            c = row.counts
            codes.append({"name": row.name, "theme": tmap.paths.get(row.theme_id) if row.theme_id else None,
                          "codings": c.codings, "extracts": c.extracts,
                          "participants": c.participants, "label": c.label})
            if row.theme_id is not None:
                own[row.theme_id].append(row.name)
    for row in tmap.rows:
        if row.kind == "theme":
            t, c = by_id[row.id], row.counts
            parent = by_id[t.parent_id].name if t.parent_id is not None else None
            themes.append({"name": t.name, "parent": parent, "status": t.status, "codes": own[t.id],
                           "codings": c.codings, "extracts": c.extracts,
                           "participants": c.participants, "label": c.label})
    codes.sort(key=lambda c: c["name"].casefold())
    return {"codes": codes, "themes": themes}


def test_codes_and_themes_are_the_maps_in_its_order(tmp_path):
    path = tmp_path / "study.db"
    synth.make_study(path, transcripts=6, words=500, codes=60, themes=5, codings=400, participants=4,
                     interviews=1, memos=2, journal=1, seed=3)
    with Study.open(path) as study:
        conn = study.conn
        # codes under codes (some across themes, some looping), a deeper theme
        # tree with siblings out of id order, unsorted codes, a code never used
        ids = [r[0] for r in conn.execute("SELECT id FROM codes ORDER BY id")]
        for child, parent in zip(ids[1:30:3], ids[0:30:3], strict=False):
            conn.execute("UPDATE codes SET parent_code_id = ? WHERE id = ?", (parent, child))
        conn.execute("UPDATE codes SET parent_code_id = ? WHERE id = ?", (ids[41], ids[40]))
        conn.execute("UPDATE codes SET parent_code_id = ? WHERE id = ?", (ids[40], ids[41]))
        themes = [r[0] for r in conn.execute("SELECT id FROM themes ORDER BY id")]
        conn.execute("UPDATE themes SET parent_id = ?, position = 0 WHERE id = ?", (themes[1], themes[-1]))
        conn.execute("UPDATE themes SET position = 99 WHERE id = ?", (themes[0],))
        conn.execute("UPDATE codes SET theme_id = NULL WHERE id IN (?, ?, ?)", (ids[50], ids[51], ids[40]))
        conn.execute("DELETE FROM codings WHERE code_id = ?", (ids[52],))
        conn.commit()
        got = analysis_stats(study)
        expected = analysis_stats_from_the_map(study)
    assert {k: got[k] for k in ("codes", "themes")} == expected
    assert len(got["codes"]) == 60 and any(t["parent"] for t in got["themes"])
    assert any(c["theme"] is None for c in got["codes"]) and any(c["codings"] == 0 for c in got["codes"])

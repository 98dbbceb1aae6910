"""Merging a co-coder's study file or a REFI-QDA project: GUID first, then
content; every coder's codings kept; conflicts listed; idempotent."""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
from pathlib import Path

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.merge_match import normalise_text, path_key, text_key
from tacompanion.core.spans import Span
from tacompanion.formats.demo import create_demo_study
from tacompanion.formats.merge import MergeError, merge_file, merge_lines
from tacompanion.formats.qdpx_export import export_qdpx
from tacompanion.formats.qdpx_import import import_qdpx, summary_lines
from tacompanion.store import codes as code_store
from tacompanion.store.study import Study
from tacompanion.store.themes import create_theme

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "refi-qda"


def snapshot(study: Study) -> dict:
    return {
        "participants": sorted(r[0] for r in study.conn.execute("SELECT pseudonym FROM participants")),
        "transcripts": sorted(r[0] for r in study.conn.execute("SELECT file_name FROM transcripts")),
        "themes": sorted(r[0] for r in study.conn.execute("SELECT name FROM themes")),
        "codes": sorted(r[0] for r in study.conn.execute("SELECT name FROM codes")),
        "codings": sorted(study.conn.execute(
            "SELECT coalesce(transcript_id, -note_id), start_pos, end_pos, c.name, coder "
            "FROM codings k JOIN codes c ON c.id = k.code_id").fetchall()),
        "memos": sorted(r[0] for r in study.conn.execute("SELECT text FROM memos")),
        "journal": sorted(r[0] for r in study.conn.execute("SELECT text FROM journal")),
        "interviews": study.scalar("SELECT count(*) FROM interviews"),
        "notes": study.scalar("SELECT count(*) FROM notes"),
    }


def span_of(study: Study, tid: int, words: str) -> Span:
    text = study.scalar("SELECT text FROM transcripts WHERE id = ?", (tid,))
    start = text.index(words)
    return Span(start, start + len(words))


@pytest.fixture
def copies(tmp_path):
    """The lead's study (base) copied to two coders, who code the same transcript."""
    base = tmp_path / "base.db"
    with Study.open(base) as s:
        create_demo_study(s, analysis=False)  # the material only: a plain base to merge onto
        theme = create_theme(s, "Being with silence")
        code_store.create_code(s, "Silence")
        s.conn.execute("UPDATE codes SET theme_id = ? WHERE name = 'Silence'", (theme,))
        s.conn.commit()
    a, b = tmp_path / "kim.db", tmp_path / "lee.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    doc = DocRef(transcript_id=1)
    with Study.open(a) as s:
        text = s.scalar("SELECT text FROM transcripts WHERE id = 1")
        first, second = text.split()[10], text.split()[40]
        silence = code_store.code_by_name(s, "Silence")
        code_store.apply_code(s, silence, doc, span_of(s, 1, first), "kim")
        code_store.create_and_apply(s, "Shame", doc, span_of(s, 1, second), "kim")
    with Study.open(b) as s:
        silence = code_store.code_by_name(s, "Silence")
        code_store.apply_code(s, silence, doc, span_of(s, 1, first), "lee")  # the same as kim
        code_store.create_and_apply(s, "Shame", doc, span_of(s, 1, first), "lee")  # a new code of the same name
        code_store.create_and_apply(s, "Withdrawal", DocRef(transcript_id=2), Span(0, 20), "lee")
    return a, b


def test_merging_a_co_coders_study_keeps_both_coders_and_makes_no_copies(copies):
    a, b = copies
    with Study.open(a) as s:
        before = snapshot(s)
        summary, kind = merge_file(s, b)
        after = snapshot(s)
        assert kind == "study"
        assert after["participants"] == before["participants"]  # no "P1 (2)"
        assert after["transcripts"] == before["transcripts"]
        assert after["codes"] == ["Shame", "Silence", "Withdrawal"]  # Shame matched by name, no "Shame (2)"
        assert after["themes"] == ["Being with silence"]
        coders = {}
        for *_, code, coder in after["codings"]:
            coders.setdefault(code, set()).add(coder)
        assert coders == {"Silence": {"kim", "lee"}, "Shame": {"kim", "lee"}, "Withdrawal": {"lee"}}
        assert len(after["codings"]) == 5
        assert summary.counts["codings"] == 3 and summary.counts["codes"] == 1
        assert summary.matched["transcripts"] == 4 and summary.matched["participants"] == 4
        assert summary.by_content["codes"] == 1  # Shame: another GUID, the same name and theme path
        assert summary.counts["coders"] == 1  # lee is new here
        assert after["journal"] == before["journal"] and after["memos"] == before["memos"]
        lines = merge_lines(summary, str(b), kind)
        assert any(re.match(r"\s+codings\s+3 added", x) for x in lines)
        assert "conflicts: none" in lines
        # a second time: nothing changes
        again, _ = merge_file(s, b)
        assert snapshot(s) == after
        assert not again.counts.get("codings") and not any(again.counts.values())
        assert again.matched["codings"] == 3


def test_conflicts_are_listed_not_raised(copies):
    a, b = copies
    with Study.open(b) as s:
        silence = code_store.code_by_name(s, "Silence")
        code_store.rename_code(s, silence, "Quiet")  # the same GUID, another name
        s.conn.execute("UPDATE transcripts SET text = text || ' more' WHERE id = 3")  # same name, other text
        s.conn.execute("UPDATE transcripts SET uuid = ? WHERE id = 3", (str(uuid.uuid4()),))
        s.conn.execute("UPDATE themes SET name = 'Silences', status = 'final'")  # same GUID, another name
        s.conn.commit()
    with Study.open(a) as s:
        summary, _ = merge_file(s, b)
        text = "\n".join(summary.conflicts)
        assert "code 'Silence': the file names it 'Quiet'" in text
        assert "source 't3-interview.vtt': a transcript of that name here has other text" in text
        assert code_store.code_by_name(s, "Quiet") is None  # the study's name is kept
        assert "theme 'Being with silence': the file names it 'Silences'" in text
        assert s.query("SELECT name, status FROM themes") == [{"name": "Being with silence", "status": "candidate"}]
        assert s.scalar("SELECT count(*) FROM transcripts") == 5


def _regrid(src: Path, dst: Path) -> None:
    """The .qdpx as QualCoder would send it back: every GUID new, CRLF texts with a BOM."""
    guid = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
    fresh: dict[str, str] = {}

    def swap(m: re.Match) -> str:
        return fresh.setdefault(m.group(0).lower(), str(uuid.uuid4()).upper())

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            name = guid.sub(swap, info.filename)
            if name.endswith(".qde"):
                data = guid.sub(swap, data.decode("utf-8")).encode("utf-8")
            zout.writestr(name, data)


def test_a_qdpx_with_new_guids_is_matched_by_content_and_merging_twice_changes_nothing(copies, tmp_path):
    a, b = copies
    sent = tmp_path / "lee.qdpx"
    back = tmp_path / "lee-from-qualcoder.qdpx"
    with Study.open(b) as s:
        export_qdpx(s, sent)
    _regrid(sent, back)
    with Study.open(a) as s:
        before = snapshot(s)
        summary = import_qdpx(s, back, merge=True)  # `import --merge` is the same operation
        after = snapshot(s)
        assert after["participants"] == before["participants"]
        assert after["codes"] == ["Shame", "Silence", "Withdrawal"]
        assert after["themes"] == ["Being with silence"]
        assert after["interviews"] == before["interviews"] and after["notes"] == before["notes"]
        assert after["journal"] == before["journal"] and after["memos"] == before["memos"]
        assert len(after["codings"]) == 5
        assert summary.by_content["transcripts"] == 4 and summary.by_content["participants"] == 4
        assert summary.by_content["interviews"] == 2
        assert not summary.conflicts, summary.conflicts
        again = import_qdpx(s, back, merge=True)
        assert snapshot(s) == after
        assert not any(again.counts.values())
        lines = summary_lines(again, str(back), merge=True)
        assert lines[0] == f"merged {back}:"


def test_import_keeps_every_coder_and_collapses_exact_duplicates(copies, tmp_path):
    a, b = copies
    with Study.open(a) as s:
        merge_file(s, b)
        out = tmp_path / "both.qdpx"
        export_qdpx(s, out)
    # the same coding twice in the file (same coder, code and span, another GUID)
    with zipfile.ZipFile(out) as z:
        files = {n: z.read(n) for n in z.namelist()}
    qde = files["project.qde"].decode("utf-8")
    coding = re.search(r"<Coding guid=\"[^\"]+\"(.*?)</Coding>", qde, re.S)
    twice = coding.group(0) + coding.group(0).replace(coding.group(0)[14:50], str(uuid.uuid4()))
    files["project.qde"] = qde.replace(coding.group(0), twice, 1).encode("utf-8")
    dup = tmp_path / "dup.qdpx"
    with zipfile.ZipFile(dup, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    with Study.open(tmp_path / "fresh.db") as s:
        summary = import_qdpx(s, dup)
        assert summary.duplicates == 1
        assert s.scalar("SELECT count(*) FROM codings") == 5
        assert sorted(r[0] for r in s.conn.execute("SELECT DISTINCT coder FROM codings")) == ["kim", "lee"]
        assert "1 duplicate coding(s) (same coder, code and span) collapsed" in summary_lines(summary, str(dup))


def test_bad_files_get_one_clear_message(tmp_path, study):
    with pytest.raises(MergeError, match="no such file"):
        merge_file(study, tmp_path / "none.db")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(MergeError, match="neither a tacompanion study nor a REFI-QDA"):
        merge_file(study, tmp_path / "notes.txt")
    with pytest.raises(MergeError, match="this study itself"):
        merge_file(study, study.path)


def test_matching_keys():
    assert text_key("\ufeffa\r\nb\rc") == text_key("a\nb\nc")
    assert normalise_text("\ufeffx\r\n") == "x\n"
    assert path_key(["Being  with", "SILENCE"]) == ("being with", "silence")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/refi-qda is not here")
@pytest.mark.parametrize("name", ["qc-demo.qdpx", "nvivo-project.qdpx"])
def test_real_projects_merge_into_themselves_without_change(tmp_path, name):
    with Study.open(tmp_path / "s.db") as s:
        import_qdpx(s, SHARED / name)
        before = snapshot(s)
        summary = import_qdpx(s, SHARED / name, merge=True)
        assert snapshot(s) == before
        assert not any(summary.counts.values())

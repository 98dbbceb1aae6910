"""A .qdpx is written into the study as it is read, one source at a time, in
one transaction (issue 16): the same rows as reading the whole file first; a
file refused or failing half-way leaves the study exactly as it was; and the
reader never holds more than a source or two at a time."""

from __future__ import annotations

import gc
import io
import sqlite3
import uuid
import zipfile

import pytest

from tacompanion.core.qdpx import QCoding, QSource
from tacompanion.formats import bounded_zip, qdpx_import
from tacompanion.formats.qdpx_import import QdpxError, import_qdpx, read_qdpx
from tacompanion.store import qdpx as store_qdpx
from tacompanion.store.qdpx import import_project
from tacompanion.store.study import Study, StudyError
from tests import hostile_files as H

CODES = [str(uuid.UUID(int=n + 1)) for n in range(12)]
CASE = str(uuid.UUID(int=10_000))


def _guid(kind: int, n: int) -> str:
    return str(uuid.UUID(int=(kind << 64) + n))


def _source(n: int, codings: int, *, code_of=lambda k: CODES[k % len(CODES)], coding_guid=None) -> str:
    text = "".join(f"P1: turn {k} of source {n}, with a few words in it.\n\n" for k in range(codings))
    sels = []
    for k in range(codings):
        start = text.index(f"turn {k} ")
        guid = coding_guid(n, k) if coding_guid else _guid(3, n * 1000 + k)
        sels.append(f'<PlainTextSelection guid="{_guid(2, n * 1000 + k)}" startPosition="{start}" '
                    f'endPosition="{start + 6}"><Coding guid="{guid}" creatingUser="{_guid(9, 1)}">'
                    f'<CodeRef targetGUID="{code_of(k)}"/></Coding></PlainTextSelection>')
    return (f'<TextSource guid="{_guid(1, n)}" name="source {n:03}.txt"><PlainTextContent>{text}'
            f'</PlainTextContent>{"".join(sels)}</TextSource>')


def project_bytes(sources: int = 40, codings: int = 20, *, tail: str = "", codebook_last: bool = False,
                  **source_options) -> bytes:
    """A generated project: 12 codes, one case owning every source, `sources`
    sources of `codings` codings each; `tail` is put after the sources."""
    codebook = "<CodeBook><Codes>" + "".join(
        f'<Code guid="{g}" name="code {n}" isCodable="true"/>' for n, g in enumerate(CODES)) + "</Codes></CodeBook>"
    cases = (f'<Cases><Case guid="{CASE}" name="P1">'
             + "".join(f'<SourceRef targetGUID="{_guid(1, n)}"/>' for n in range(sources)) + "</Case></Cases>")
    body = "".join(_source(n, codings, **source_options) for n in range(sources))
    users = f'<Users><User guid="{_guid(9, 1)}" name="kim"/></Users>'
    head = users + ("" if codebook_last else codebook) + cases
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{H.NS}" name="generated">{head}'
           f"<Sources>{body}</Sources>{codebook if codebook_last else ''}{tail}</Project>")
    return H.zip_bytes({"project.qde": xml})


def streamed_only(monkeypatch):
    """The import must not fall back to reading the file whole."""
    def whole(*args, **kwargs):
        raise AssertionError("the import read the file whole instead of streaming it")

    monkeypatch.setattr(qdpx_import, "read_qdpx", whole)


def dump(path) -> list[str]:
    """The study's rows, every table (what 'unchanged' means)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def rows(study: Study) -> dict[str, list[tuple]]:
    """The rows an import writes, without what is random or dated (turn uuids, import times)."""
    q = study.conn.execute
    return {
        "participants": q("SELECT id, uuid, pseudonym FROM participants ORDER BY id").fetchall(),
        "transcripts": q("SELECT id, uuid, participant_id, file_name, text FROM transcripts ORDER BY id").fetchall(),
        "segments": q("SELECT id, transcript_id, position, speaker, start_pos, end_pos, text FROM segments "
                      "ORDER BY id").fetchall(),
        "codes": q("SELECT id, uuid, name, theme_id FROM codes ORDER BY id").fetchall(),
        "codings": q("SELECT id, uuid, code_id, transcript_id, note_id, start_pos, end_pos, coder FROM codings "
                     "ORDER BY id").fetchall(),
        "memos": q("SELECT id, text FROM memos ORDER BY id").fetchall(),
        "found": q("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'words'").fetchall(),
    }


@pytest.fixture
def filled(tmp_path):
    """A study with content (a real ATLAS.ti project), closed."""
    path = tmp_path / "filled.db"
    with Study.open(path) as s:
        import_qdpx(s, H.REFI / "atlasti-23-target.qdpx")
    return path


def whole_and_streamed(path, tmp_path, monkeypatch):
    """`path` imported twice into new studies: read whole first, then
    streamed (the whole read forbidden): (summary, rows) of each, and the
    streamed study's coders."""
    with Study.open(tmp_path / "whole.db") as s:
        whole = import_project(s, read_qdpx(path))
        expected = rows(s)
    streamed_only(monkeypatch)
    with Study.open(tmp_path / "streamed.db") as s:
        streamed = import_qdpx(s, path)
        got = rows(s)
        coders = {r[0] for r in s.conn.execute("SELECT coder FROM codings")}
    return (whole, expected), (streamed, got), coders


def test_streamed_import_writes_what_reading_the_whole_file_first_writes(tmp_path, monkeypatch):
    path = tmp_path / "p.qdpx"
    note = f'<Notes><Note guid="{_guid(5, 1)}" name="a memo"><PlainTextContent>hi</PlainTextContent></Note></Notes>'
    path.write_bytes(project_bytes(tail=note))
    (whole, expected), (streamed, got), _ = whole_and_streamed(path, tmp_path, monkeypatch)
    assert got == expected
    assert streamed.counts == whole.counts and streamed.problems == whole.problems
    assert streamed.counts["codings"] == 40 * 20 and got["found"][0][0] == 40 * 20


def test_a_generated_study_round_trips_the_same_streamed_or_whole(tmp_path, cli, monkeypatch):
    import sys

    from tests.conftest import REPO

    sys.path.insert(0, str(REPO / "bench"))
    import synth

    study = tmp_path / "made.db"
    synth.make_study(study, transcripts=6, words=600, codes=30, themes=4, codings=400, participants=4,
                     interviews=2, memos=5, journal=2, seed=3)
    out = tmp_path / "made.qdpx"
    assert cli("--db", str(study), "export", "qdpx", "-o", str(out)).returncode == 0
    with Study.open(tmp_path / "whole.db") as s:
        whole = import_project(s, read_qdpx(out))
        expected = rows(s)
    streamed_only(monkeypatch)
    with Study.open(tmp_path / "streamed.db") as s:
        streamed = import_qdpx(s, out)
        got = rows(s)
    assert got == expected and streamed.counts == whole.counts and streamed.problems == whole.problems
    with Study.open(study, create=False) as s:
        assert len(got["codings"]) == s.scalar("SELECT count(*) FROM codings WHERE transcript_id IS NOT NULL") + \
            s.scalar("SELECT count(*) FROM codings WHERE note_id IS NOT NULL")


def test_a_code_book_after_the_sources_is_read_whole_first_with_the_same_result(tmp_path, monkeypatch):
    path = tmp_path / "late-codes.qdpx"
    path.write_bytes(project_bytes(sources=5, codings=4, codebook_last=True))
    whole_reads = []
    real = qdpx_import.read_qdpx
    monkeypatch.setattr(qdpx_import, "read_qdpx", lambda *a, **k: whole_reads.append(1) or real(*a, **k))
    with Study.open(tmp_path / "s.db") as s:
        summary = import_qdpx(s, path)
        assert s.scalar("SELECT count(*) FROM codings") == 20
    assert whole_reads == [1] and summary.counts["codings"] == 20 and not summary.problems


@pytest.mark.parametrize("damage", ["malformed end", "repeated coding GUID", "too many elements"])
def test_a_file_failing_after_many_sources_were_written_leaves_the_study_as_it_was(tmp_path, filled, damage,
                                                                                 monkeypatch):
    """Forty sources are written before the failure, in the one transaction:
    a merge into a study with content leaves every row as it was. (The file
    is read in small chunks here, as a large one is in 1 MiB chunks.)"""
    monkeypatch.setattr(bounded_zip, "CHUNK", 4096)
    if damage == "malformed end":
        qde = zipfile.ZipFile(io.BytesIO(project_bytes())).read("project.qde")
        data = H.zip_bytes({"project.qde": qde[:-20]})  # cut off in its last closing tags
    elif damage == "repeated coding GUID":
        # the last source's last coding repeats the first source's first coding's GUID
        data = project_bytes(coding_guid=lambda n, k: _guid(3, 0) if (n, k) == (39, 19) else _guid(3, n * 1000 + k))
    else:
        data = project_bytes()
        # 40 sources of 20 codings make about 2,500 elements: refused near the end
        monkeypatch.setattr(qdpx_import, "MAX_XML_ELEMENTS", 2_400)
    path = tmp_path / "bad.qdpx"
    path.write_bytes(data)
    written = []
    real_source = store_qdpx._Importer.source
    monkeypatch.setattr(store_qdpx._Importer, "source",
                        lambda self, source, pid: written.append(1) or real_source(self, source, pid))
    before = dump(filled)
    with Study.open(filled, create=False) as s, pytest.raises(QdpxError) as refused:
        import_qdpx(s, path, merge=True)
    assert "bad.qdpx" in str(refused.value)
    assert len(written) >= 30  # it failed late, after sources were written
    assert dump(filled) == before


def test_a_repeated_guid_is_refused_with_the_message_of_the_whole_read(tmp_path):
    data = project_bytes(sources=6, codings=3,
                         coding_guid=lambda n, k: _guid(3, 0) if (n, k) == (5, 2) else _guid(3, n * 1000 + k))
    path = tmp_path / "dup.qdpx"
    path.write_bytes(data)
    with pytest.raises(QdpxError) as whole:
        read_qdpx(path)
    with Study.open(tmp_path / "s.db") as s, pytest.raises(QdpxError) as streamed:
        import_qdpx(s, path)
    assert str(streamed.value) == str(whole.value) and "two codings share the GUID" in str(whole.value)


def test_a_study_with_content_is_refused_before_any_source_is_written(tmp_path, filled):
    path = tmp_path / "p.qdpx"
    path.write_bytes(project_bytes(sources=3, codings=2))
    before = dump(filled)
    with Study.open(filled, create=False) as s, pytest.raises(StudyError, match="already has content"):
        import_qdpx(s, path)
    assert dump(filled) == before


def test_the_reader_holds_a_source_or_two_at_a_time_whatever_the_project_size(tmp_path, monkeypatch):
    """Counted, not measured: the QSources and QCodings alive while each source
    is written stay the same for 40 sources as for 10 (the file is read in
    small chunks here, so that each chunk holds at most about one source)."""
    monkeypatch.setattr(bounded_zip, "CHUNK", 4096)
    streamed_only(monkeypatch)
    real_source = store_qdpx._Importer.source

    def alive(n_sources: int) -> tuple[int, int]:
        path = tmp_path / f"p{n_sources}.qdpx"
        path.write_bytes(project_bytes(sources=n_sources, codings=20))
        most = [0, 0]
        # looked at three times a run (the second source, the middle one, the
        # last): a look walks every object of the test process, which in a
        # whole run of the suite is slow
        looks = {2, n_sources // 2, n_sources}
        seen = [0]

        def source(self, source, pid):
            seen[0] += 1
            if seen[0] in looks:
                gc.collect()
                objects = gc.get_objects()
                most[0] = max(most[0], sum(isinstance(o, QSource) for o in objects))
                most[1] = max(most[1], sum(isinstance(o, QCoding) for o in objects))
            return real_source(self, source, pid)

        monkeypatch.setattr(store_qdpx._Importer, "source", source)
        with Study.open(tmp_path / f"s{n_sources}.db") as s:
            assert import_qdpx(s, path).counts["codings"] == n_sources * 20
        return most[0], most[1]

    small, large = alive(10), alive(40)
    assert large == small
    assert large[0] <= 3 and large[1] <= 3 * 20


def test_until_the_import_commits_other_connections_see_the_study_as_it_was(tmp_path, monkeypatch):
    """Half-way through, another connection reads none of the sources written
    so far (one transaction), and cannot write: its writes wait for the import."""
    monkeypatch.setattr(bounded_zip, "CHUNK", 4096)
    path = tmp_path / "p.qdpx"
    path.write_bytes(project_bytes(sources=30, codings=10))
    db = tmp_path / "s.db"
    Study.open(db).close()
    seen = []
    real_source = store_qdpx._Importer.source

    def source(self, src, pid):
        if len(seen) == 0 and src.name == "source 020.txt":
            other = sqlite3.connect(db, timeout=0)
            try:
                seen.append(other.execute("SELECT count(*) FROM transcripts").fetchone()[0])
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("INSERT INTO settings (key, value) VALUES ('probe', '1')")
            finally:
                other.close()
        return real_source(self, src, pid)

    monkeypatch.setattr(store_qdpx._Importer, "source", source)
    with Study.open(db) as s:
        assert import_qdpx(s, path).counts["transcripts"] == 30
        assert s.scalar("SELECT count(*) FROM transcripts") == 30
    assert seen == [0]


def test_after_an_import_the_study_has_every_index_and_trigger_of_a_new_one(tmp_path):
    """The full-text trigger and the codings' indexes, set aside while a
    project is written into an empty study, are all back, and they work."""
    path = tmp_path / "p.qdpx"
    path.write_bytes(project_bytes(sources=4, codings=5))

    def schema(study: Study) -> list[tuple]:
        return sorted(study.conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())

    with Study.open(tmp_path / "new.db") as s:
        expected = schema(s)
    with Study.open(tmp_path / "s.db") as s:
        import_qdpx(s, path)
        assert schema(s) == expected
        assert s.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        row = s.conn.execute("SELECT transcript_id, start_pos, end_pos, code_id, coder FROM codings LIMIT 1").fetchone()
        with pytest.raises(sqlite3.IntegrityError):  # the unique index is there again
            s.conn.execute("INSERT INTO codings (uuid, transcript_id, start_pos, end_pos, code_id, coder, created_at) "
                           "VALUES ('x', ?, ?, ?, ?, ?, 'now')", row)
        s.conn.execute("INSERT INTO segments (uuid, transcript_id, position, start_pos, end_pos, text) "
                       "VALUES ('y', 1, 999, 0, 1, 'zebracorn')")
        assert s.scalar("SELECT count(*) FROM segments_fts WHERE segments_fts MATCH 'zebracorn'") == 1

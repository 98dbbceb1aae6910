"""REFI-QDA project exchange: every export valid against the project schema,
stable GUIDs, the round trip into a new study, redaction, positions over
emoji / CJK / combining marks, CRLF sources, the real files of other tools,
and the refusals that write nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.spans import Span
from tacompanion.formats.qdpx_export import build_qdpx, export_qdpx
from tacompanion.formats.qdpx_import import QdpxError, import_qdpx, read_qdpx
from tacompanion.formats.transcript_files import parse_transcript_bytes, transcript_format
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.memos import save_memo
from tacompanion.store.participants import ensure_participant
from tacompanion.store.stats import study_stats
from tacompanion.store.study import Study, StudyError, new_uuid
from tacompanion.store.themes import create_theme, move_code, set_status
from tacompanion.store.transcripts import import_transcript

XSD = Path(__file__).resolve().parent / "data" / "refi-qda-project-mrt2019.xsd"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "refi-qda"

P1_TEXT = (
    "Interviewer: How was the first session?\n\n"
    "P1: Honestly 😀 it was quiet. The silence felt long, like in Tromsø in winter.\n\n"
    "Interviewer: And later?\n\n"
    "P1: Later I trusted the group more.\n"
)
P2_TEXT = (
    "Interviewer: 最初のセッションはどうでしたか?\n\n"
    "P2: 静かでした 𠀋 and the café felt e\u0301trange, 😀👍🏽 quiet.\n\n"
    "Interviewer: Anything else?\n\n"
    "P2: Anna Berg helped me.\n"
)


def _transcript(study, text, who, name, pilot=False):
    parsed = parse_transcript_bytes(text.encode(), transcript_format(name), name).with_interviewer_labels(["Interviewer"])
    tid = import_transcript(study, parsed, participant=who, file_name=name, pilot=pilot).transcript_id
    return DocRef(transcript_id=tid)


def _span(text, piece, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(piece, start + 1)
    return Span(start, start + len(piece))


def _note(study, who, texts, pilot=False):
    pid = ensure_participant(study, who)
    with study.write() as db:
        interviews, notes = db["interviews"], db["notes"]
        interviews.insert({"uuid": new_uuid(), "participant_id": pid, "pilot": int(pilot),
                           "created_at": "2026-11-20T10:00:00.000Z",
                           "started_at": "2026-11-20T10:00:00.000Z"})
        iid = interviews.last_pk
        ids = []
        for n, (kind, text) in enumerate(texts):
            notes.insert({"uuid": new_uuid(), "interview_id": iid, "kind": kind, "text": text,
                                "elapsed_ms": 60_000 * (n + 1), "created_at": "2026-11-20T10:05:00.000Z"})
            ids.append(notes.last_pk)
    return iid, [DocRef(note_id=i) for i in ids]


def make_study(study: Study) -> dict:
    """Two participants with attributes (one more, a pilot), a theme with a
    subtheme, codes inside and unsorted, a nested code, codings on transcripts
    and on notes, memos, journal, redactions."""
    p1 = _transcript(study, P1_TEXT, "P1", "p1-interview.txt")
    p2 = _transcript(study, P2_TEXT, "P2", "p2.md")
    p0 = _transcript(study, P1_TEXT.replace("P1", "P0"), "P0", "pilot.txt", pilot=True)
    with study.write() as db:
        db.execute("UPDATE participants SET attributes = ? WHERE pseudonym = 'P1'",
                   [json.dumps({"age": 34, "role": "therapist", "years": 2.5, "consent": True})])
        db.execute("UPDATE participants SET attributes = ? WHERE pseudonym = 'P2'",
                   [json.dumps({"age": 51, "role": "nurse"})])
    iid, notes = _note(study, "P1", [("note", "quiet start, Tromsø again"), ("quote", "\"the silence 😀 was long\"")])
    theme = create_theme(study, "Being with silence", definition="How silence in the group is lived.")
    sub = create_theme(study, "Unease", parent_id=theme)
    set_status(study, theme, "final")
    set_status(study, sub, "reviewed")
    silence, quiet, trust, loose, child = (create_code(study, n) for n in
                                           ("Silence", "Quiet", "Trust", "Loose end", "Long silence"))
    with study.write() as db:
        db.execute("UPDATE codes SET description = 'Any mention of silence.', color = '#a1b2c3' WHERE id = ?",
                   [silence])
        db.execute("UPDATE codes SET parent_code_id = ? WHERE id = ?", [silence, child])
    move_code(study, silence, theme)
    move_code(study, child, theme)
    move_code(study, quiet, sub)
    move_code(study, trust, theme)
    apply_code(study, silence, p1, _span(P1_TEXT, "The silence felt long"), "ana")
    apply_code(study, child, p1, _span(P1_TEXT, "The silence felt long"), "bo")
    apply_code(study, quiet, p1, _span(P1_TEXT, "😀 it was quiet"), "ana")
    apply_code(study, trust, p1, _span(P1_TEXT, "trusted the group"), "ana")
    apply_code(study, quiet, p2, _span(P2_TEXT, "静かでした 𠀋"), "ana")
    apply_code(study, quiet, p2, _span(P2_TEXT, "e\u0301trange, 😀👍🏽 quiet"), "bo")
    apply_code(study, loose, p2, _span(P2_TEXT, "Anna Berg helped"), "ana")
    apply_code(study, silence, p0, _span(P1_TEXT, "The silence felt long"), "ana")
    apply_code(study, silence, notes[1], Span(1, 12), "ana")  # 'the silence' in the quote
    apply_code(study, loose, notes[0], Span(13, 19), "ana")  # 'Tromsø'
    save_memo(study, "code", silence, "Silence: seen in most interviews.")
    save_memo(study, "theme", theme, "Theme memo.")
    save_memo(study, "transcript", p1.transcript_id, "P1 was tired.")
    save_memo(study, None, None, "The study memo.")
    pid1 = study.scalar("SELECT id FROM participants WHERE pseudonym = 'P1'")
    save_memo(study, "participant", pid1, "About P1.")
    seg = study.scalar("SELECT id FROM segments WHERE transcript_id = ? AND position = 3", (p2.transcript_id,))
    save_memo(study, "segment", seg, "A turn to come back to.")
    save_memo(study, "note", notes[1].id, "Use this quote.")
    save_memo(study, "interview", iid, "Went well.")
    with study.write() as db:
        db["journal"].insert({"uuid": new_uuid(), "entry_date": "2026-11-21", "text": "I noticed my own unease.",
                              "created_at": "2026-11-21T20:00:00.000Z"})
        for find, rep in (("Tromsø", "[city]"), ("Anna Berg", "[name]")):
            db["redactions"].insert({"uuid": new_uuid(), "find": find, "replacement": rep, "created_at": "now"})
    return {"p1": p1, "p2": p2, "theme": theme, "sub": sub, "interview": iid}


@pytest.fixture
def rich(study):
    make_study(study)
    return study


def _schema():
    import xmlschema

    return xmlschema.XMLSchema(str(XSD))


def _qde(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("project.qde")


def _files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


# -- export ------------------------------------------------------------------------------


@pytest.mark.parametrize("redacted", [False, True])
def test_export_is_valid_against_the_project_schema(rich, redacted):
    data = build_qdpx(rich, redacted=redacted).data
    schema = _schema()
    errors = list(schema.iter_errors(_qde(data).decode("utf-8")))
    assert errors == []


def test_an_empty_study_exports_a_valid_project_without_empty_containers(study):
    xml = _qde(build_qdpx(study, redacted=False).data).decode()
    assert _schema().is_valid(xml)
    for empty in ("<Users", "<CodeBook", "<Cases", "<Sources", "<Notes", "<Sets", "<Variables"):
        assert empty not in xml


def test_the_schema_check_can_fail():
    bad = '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Users/></Project>'
    assert not _schema().is_valid(bad)


def test_zip_layout_sources_by_guid_utf8_without_bom_exactly_the_stored_text(rich):
    files = _files(build_qdpx(rich, redacted=False).data)
    assert sorted(n for n in files if not n.startswith("sources/")) == ["project.qde"]
    assert files["project.qde"].startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    texts = {r["uuid"]: r["text"] for r in rich.query("SELECT uuid, text FROM transcripts")}
    for guid, text in texts.items():
        data = files[f"sources/{guid}.txt"]
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.decode("utf-8") == text
    assert f'plainTextPath="internal://{next(iter(texts))}.txt"' in files["project.qde"].decode()


def test_exporting_twice_gives_the_same_guids_and_bytes(rich):
    import re

    one, two = build_qdpx(rich, redacted=False).data, build_qdpx(rich, redacted=False).data
    assert one == two
    guids = re.findall(r'guid="([^"]+)"', _qde(one).decode())
    assert len(guids) == len(set(guids))  # unique within the file
    row_uuids = {r["uuid"] for t in ("codes", "themes", "participants", "transcripts", "codings", "journal")
                 for r in rich.query(f"SELECT uuid FROM {t}")}
    # memos of participants, transcripts, interviews and the study are Descriptions (no GUID of their own)
    row_uuids |= {r["uuid"] for r in rich.query("SELECT uuid FROM memos WHERE coalesce(code_id, theme_id, "
                                                "segment_id, note_id) IS NOT NULL")}
    assert row_uuids <= set(guids)


def test_the_tree_codes_cases_and_codings_in_the_xml(rich):
    from xml.etree import ElementTree as ET

    ns = {"q": "urn:QDA-XML:project:1.0"}
    root = ET.fromstring(_qde(build_qdpx(rich, redacted=False).data))
    top = root.findall("q:CodeBook/q:Codes/q:Code", ns)
    assert [(c.get("name"), c.get("isCodable")) for c in top] == [("Being with silence", "false"), ("Loose end", "true")]
    theme = top[0]
    assert theme.find("q:Description", ns).text == "How silence in the group is lived."
    inside = [(c.get("name"), c.get("isCodable")) for c in theme.findall("q:Code", ns)]
    assert inside == [("Silence", "true"), ("Trust", "true"), ("Unease", "false")]
    silence = theme.find("q:Code[@name='Silence']", ns)
    assert silence.get("color") == "#a1b2c3"
    assert [c.get("name") for c in silence.findall("q:Code", ns)] == ["Long silence"]
    assert [c.get("name") for c in theme.findall("q:Code[@name='Unease']/q:Code", ns)] == ["Quiet"]
    cases = {c.get("name"): c for c in root.findall("q:Cases/q:Case", ns)}
    assert set(cases) == {"P0", "P1", "P2"}
    assert len(cases["P1"].findall("q:SourceRef", ns)) == 2  # transcript + interview notes
    sources = {s.get("name"): s for s in root.findall("q:Sources/q:TextSource", ns)}
    assert "P1 interview notes" in sources
    sel = sources["p1-interview.txt"].findall("q:PlainTextSelection", ns)
    # Silence (by ana) and Long silence (by bo) on one span: one selection per
    # coder, each credited to its coder as QualCoder reads it
    same = [s for s in sel if s.get("name") == "The silence felt long"]
    assert len(same) == 2 and all(len(s.findall("q:Coding", ns)) == 1 for s in same)
    users = {u.get("name"): u.get("guid") for u in root.findall("q:Users/q:User", ns)}
    assert set(users) == {"ana", "bo"}
    for s in sel:
        assert {c.get("creatingUser") for c in s.findall("q:Coding", ns)} == {s.get("creatingUser")}
    assert {s.get("creatingUser") for s in same} == {users["ana"], users["bo"]}
    assert len({s.get("guid") for s in sel}) == len(sel)
    assert {s.get("name") for s in root.findall("q:Sets/q:Set", ns)} == {"Theme status: final", "Theme status: reviewed"}
    notes = {n.get("name") for n in root.findall("q:Notes/q:Note", ns)}
    assert {"Memo on code Silence", "Reflexive journal 2026-11-21"} <= notes
    assert not {"Study memo", "Memo on participant P1", "Memo on transcript p1-interview.txt"} & notes
    # memos where other tools read them: Case, TextSource and Project Descriptions
    assert cases["P1"].find("q:Description", ns).text == "About P1."
    assert sources["p1-interview.txt"].find("q:Description", ns).text == "P1 was tired."
    assert sources["P1 interview notes"].find("q:Description", ns).text == "Went well."
    assert root.find("q:Description", ns).text == "The study memo."


def _selected(data: bytes) -> list[tuple[str, str]]:
    """(code name, selected text) for every coding, read from the file only."""
    from xml.etree import ElementTree as ET

    ns = {"q": "urn:QDA-XML:project:1.0"}
    files = _files(data)
    root = ET.fromstring(files["project.qde"])
    names = {c.get("guid"): c.get("name") for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    out = []
    for s in root.findall("q:Sources/q:TextSource", ns):
        text = files[f"sources/{s.get('guid')}.txt"].decode("utf-8")
        for sel in s.findall("q:PlainTextSelection", ns):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            for c in sel.findall("q:Coding", ns):
                out.append((names[c.find("q:CodeRef", ns).get("targetGUID")], text[a:b]))
    return sorted(out)


def test_positions_are_code_points_over_emoji_cjk_and_combining_marks(rich):
    got = _selected(build_qdpx(rich, redacted=False).data)
    assert ("Quiet", "静かでした 𠀋") in got
    assert ("Quiet", "e\u0301trange, 😀👍🏽 quiet") in got
    assert ("Quiet", "😀 it was quiet") in got
    assert ("Silence", "the silence") in got  # on the notes source
    assert ("Loose end", "Tromsø") in got


def test_redacted_export_replaces_text_and_selections_follow(rich):
    data = build_qdpx(rich, redacted=True).data
    files = _files(data)
    every = b"".join(files.values()).decode("utf-8")
    assert "Tromsø" not in every and "Anna Berg" not in every
    got = _selected(data)
    assert ("Loose end", "[city]") in got
    assert ("Loose end", "[name] helped") in got
    assert ("Quiet", "e\u0301trange, 😀👍🏽 quiet") in got
    stored = rich.scalar("SELECT text FROM transcripts WHERE file_name = 'p1-interview.txt'")
    assert "Tromsø" in stored  # the study itself is never redacted


def test_export_writes_atomically_and_leaves_no_temp_file(rich, tmp_path):
    out = tmp_path / "study.qdpx"
    out.write_bytes(b"old")
    export_qdpx(rich, out, redacted=False)
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# -- round trip ----------------------------------------------------------------------------


def _snapshot(study: Study) -> dict:
    q = study.query
    return {
        "participants": [{**r, "attributes": json.loads(r["attributes"])} for r in
                         q("SELECT uuid, pseudonym, pilot, attributes FROM participants ORDER BY uuid")],
        "transcripts": q("SELECT t.uuid, p.pseudonym, t.file_name, t.format, t.text FROM transcripts t "
                         "JOIN participants p ON p.id = t.participant_id ORDER BY t.uuid"),
        "segments": q("SELECT t.uuid, s.position, s.speaker, s.is_interviewer, s.start_pos, s.end_pos, s.text "
                      "FROM segments s JOIN transcripts t ON t.id = s.transcript_id ORDER BY t.uuid, s.position"),
        "themes": q("SELECT t.uuid, t.name, t.definition, t.status, p.uuid AS parent FROM themes t "
                    "LEFT JOIN themes p ON p.id = t.parent_id ORDER BY t.uuid"),
        "codes": q("SELECT c.uuid, c.name, c.description, c.color, t.uuid AS theme, p.uuid AS parent FROM codes c "
                   "LEFT JOIN themes t ON t.id = c.theme_id LEFT JOIN codes p ON p.id = c.parent_code_id "
                   "ORDER BY c.uuid"),
        "codings": q("SELECT k.uuid, c.uuid AS code, t.uuid AS transcript, k.start_pos, k.end_pos, k.coder, "
                     "k.created_at, substr(coalesce(t.text, n.text), k.start_pos + 1, k.end_pos - k.start_pos) AS text, "
                     "n.text AS note FROM codings k JOIN codes c ON c.id = k.code_id "
                     "LEFT JOIN transcripts t ON t.id = k.transcript_id LEFT JOIN notes n ON n.id = k.note_id "
                     "ORDER BY k.uuid"),
        "notes": q("SELECT i.uuid, p.pseudonym, i.pilot, n.kind, n.text, n.elapsed_ms FROM notes n "
                   "JOIN interviews i ON i.id = n.interview_id JOIN participants p ON p.id = i.participant_id "
                   "ORDER BY i.uuid, n.elapsed_ms"),
        # by text and target: memos that travel as Descriptions come back with new uuids
        "memos": sorted((m["text"], m["target"] or "") for m in q(
            "SELECT m.uuid, m.text, coalesce(c.uuid, t.uuid, r.uuid, p.uuid, i.uuid, "
            " st.uuid || ':' || s.position, n.text) AS target FROM memos m "
            "LEFT JOIN codes c ON c.id = m.code_id LEFT JOIN themes t ON t.id = m.theme_id "
            "LEFT JOIN transcripts r ON r.id = m.transcript_id LEFT JOIN participants p ON p.id = m.participant_id "
            "LEFT JOIN interviews i ON i.id = m.interview_id LEFT JOIN segments s ON s.id = m.segment_id "
            "LEFT JOIN transcripts st ON st.id = s.transcript_id LEFT JOIN notes n ON n.id = m.note_id")),
        "journal": q("SELECT uuid, entry_date, text FROM journal ORDER BY uuid"),
    }


def test_round_trip_into_a_new_study_gives_the_same_study(rich, tmp_path):
    path = tmp_path / "out.qdpx"
    export_qdpx(rich, path, redacted=False)
    with Study.open(tmp_path / "new.db") as new:
        summary = import_qdpx(new, path)
        assert summary.problems == []
        assert _snapshot(new) == _snapshot(rich)
        # every field of `stats --json` survives
        assert study_stats(new) == study_stats(rich)
        # and exporting the imported study gives the same project again
        assert _selected(build_qdpx(new, redacted=False).data) == _selected(build_qdpx(rich, redacted=False).data)


def test_round_trip_of_the_cli(rich, cli, tmp_path):
    out = tmp_path / "cli.qdpx"
    r = cli("--db", str(rich.path), "export", "qdpx", "-o", str(out), "--no-redact")
    assert r.returncode == 0, r.stderr
    assert "3 participants, 3 transcripts, 1 interview notes" in r.stderr and "(redacted)" not in r.stderr
    r = cli("--db", str(tmp_path / "copy.db"), "import", str(out))
    assert r.returncode == 0, r.stderr
    assert "imported" in r.stdout and "8 codes" not in r.stdout
    a = cli("--db", str(rich.path), "stats", "--json").stdout
    b = cli("--db", str(tmp_path / "copy.db"), "stats", "--json").stdout
    assert json.loads(a) == json.loads(b)


# -- refusals: nothing written -------------------------------------------------------------


def test_not_a_zip_is_refused_naming_the_file_and_no_study_is_made(cli, tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("hello")
    r = cli("--db", str(tmp_path / "s.db"), "import", str(bad))
    assert r.returncode == 1
    assert str(bad) in r.stderr and "zip" in r.stderr
    assert not (tmp_path / "s.db").exists()


def _zip(tmp_path, files: dict[str, bytes | str], name="p.qdpx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    return path


def test_a_zip_without_a_qde_and_malformed_xml_are_refused(tmp_path):
    with pytest.raises(QdpxError, match="no project.qde"):
        read_qdpx(_zip(tmp_path, {"sources/a.txt": "x"}))
    with pytest.raises(QdpxError, match="not well-formed"):
        read_qdpx(_zip(tmp_path, {"project.qde": "<Project name='x'><Users>"}, "m.qdpx"))


def test_a_study_with_content_is_refused_without_merge_and_nothing_changes(rich, tmp_path):
    path = tmp_path / "out.qdpx"
    export_qdpx(rich, path, redacted=False)
    before = _snapshot(rich)
    with pytest.raises(StudyError, match="--merge"):
        import_qdpx(rich, path)
    assert _snapshot(rich) == before


def test_merge_matches_by_guid_and_adds_only_what_is_missing(rich, tmp_path):
    path = tmp_path / "out.qdpx"
    export_qdpx(rich, path, redacted=False)
    before = _snapshot(rich)
    summary = import_qdpx(rich, path, merge=True)
    assert _snapshot(rich) == before
    assert summary.counts.get("codings", 0) == 0 and summary.matched["codings"] == 10
    assert not summary.by_content and not summary.conflicts
    # a study missing one coding and one code gets them back
    with Study.open(tmp_path / "partial.db") as other:
        import_qdpx(other, path)
        with other.write() as db:
            db.execute("DELETE FROM codes WHERE name = 'Trust'")
        summary = import_qdpx(other, path, merge=True)
        assert summary.counts["codes"] == 1 and summary.counts["codings"] == 1
        assert _snapshot(other) == before


def test_a_failing_import_rolls_everything_back(study, tmp_path, monkeypatch):
    make = Study.open(tmp_path / "src.db")
    make_study(make)
    path = tmp_path / "out.qdpx"
    export_qdpx(make, path, redacted=False)
    make.close()
    from tacompanion.store import qdpx as store_qdpx

    def boom(self):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(store_qdpx._Importer, "memos", boom)
    with pytest.raises(RuntimeError):
        import_qdpx(study, path)
    assert study.scalar("SELECT count(*) FROM participants") == 0
    assert study.scalar("SELECT count(*) FROM codes") == 0


def test_a_qdpx_with_transcripts_in_one_call_is_refused(cli, tmp_path):
    t = tmp_path / "a.txt"
    t.write_text("P1: hello\n")
    q = _zip(tmp_path, {"project.qde": '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'})
    r = cli("--db", str(tmp_path / "s.db"), "import", str(q), str(t))
    assert r.returncode == 1 and "on its own" in r.stderr
    assert not (tmp_path / "s.db").exists()


# -- liberal import ------------------------------------------------------------------------

GUIDS = {k: f"{n:08X}-AAAA-4BBB-8CCC-{n:012X}" for n, k in enumerate(
    ["src", "sel1", "sel2", "cat", "code", "sub", "c1", "c2", "case", "var", "note", "user"], start=1)}


def _crlf_project(tmp_path, positions: str, *, namespace="urn:QDA-XML:project:1.0", folder="Sources",
                  bom=True, name="project.qde") -> tuple[Path, str]:
    raw = "I: Hello there.\r\nP9: The 😀 silence was long.\r\nI: Why?\r\nP9: 静か, I think.\r\n"
    lf = raw.replace("\r\n", "\n")
    basis = raw if positions == "raw" else lf

    def at(piece):
        cp = basis.index(piece)
        return len(basis[:cp].encode("utf-16-le")) // 2 if positions == "utf16" else cp

    a, b = at("silence was long"), at("静か, I think")
    g = GUIDS
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="{namespace}" name="crlf" origin="elsewhere">
 <Users><User guid="{g['user']}" name="Kim"/></Users>
 <CodeBook><Codes>
  <Code guid="{{{g['cat']}}}" name="Feelings" isCodable="false">
   <Code guid="{g['code']}" name="Silence" isCodable="true">
     <Description>silence, said so</Description>
     <Code guid="{g['c1']}" name="Long silence" isCodable="true"/>
   </Code>
   <Code guid="{g['sub']}" name="Sub" isCodable="false"><Code guid="{g['c2']}" name="Calm" isCodable="true"/></Code>
  </Code>
 </Codes></CodeBook>
 <Variables><Variable guid="{g['var']}" name="Age" typeOfVariable="Integer"/></Variables>
 <Cases><Case guid="{g['case']}" name="P9"><VariableValue><VariableRef targetGUID="{g['var']}"/><IntegerValue>40</IntegerValue></VariableValue><SourceRef targetGUID="{g['src']}"/></Case></Cases>
 <Sources>
  <TextSource guid="{g['src']}" name="P9 interview" plainTextPath="internal://{g['src']}.txt">
   <PlainTextSelection guid="{g['sel1']}" name="silence was long" startPosition="{a}" endPosition="{a + 16}">
    <Coding guid="{g['c1'][:-3]}111" creatingUser="{g['user']}" creationDateTime="2023-01-02T03:04:05"><CodeRef targetGUID="{g['c1']}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{g['sel2']}" name="静か, I think" startPosition="{b}" endPosition="{b + 11}">
    <Coding guid="{g['c2'][:-3]}222" creatingUser="{g['user']}"><CodeRef targetGUID="{g['c2']}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{g['sel2'][:-3]}333" startPosition="5000" endPosition="5010">
    <Coding guid="{g['c2'][:-3]}333"><CodeRef targetGUID="{g['c2']}"/></Coding>
   </PlainTextSelection>
   <NoteRef targetGUID="{g['note']}"/>
  </TextSource>
  <PictureSource guid="{g['src'][:-3]}999" name="photo.jpg" path="internal://x.jpg"/>
 </Sources>
 <Notes><Note guid="{g['note']}" name="First impression"><PlainTextContent>Tense start.</PlainTextContent></Note></Notes>
 <Links><Link guid="{g['note'][:-3]}777" originGUID="{g['note']}" targetGUID="{g['sel1']}"/></Links>
</Project>"""
    src = raw.encode("utf-8")
    if bom:
        src = b"\xef\xbb\xbf" + src
    return _zip(tmp_path, {name: xml.encode("utf-8"), f"{folder}/{g['src'].lower()}.txt": src},
                f"crlf-{positions}.qdpx"), lf


@pytest.mark.parametrize("positions", ["raw", "lf", "utf16"])
def test_crlf_sources_with_positions_counted_either_way(study, tmp_path, positions):
    path, lf = _crlf_project(tmp_path, positions)
    summary = import_qdpx(study, path)
    assert study.scalar("SELECT text FROM transcripts") == lf  # stored LF, no BOM
    rows = study.query("SELECT c.name, substr(t.text, k.start_pos + 1, k.end_pos - k.start_pos) AS text, "
                       "k.coder, k.created_at FROM codings k JOIN codes c ON c.id = k.code_id "
                       "JOIN transcripts t ON t.id = k.transcript_id ORDER BY k.start_pos")
    assert [(r["name"], r["text"], r["coder"]) for r in rows] == [
        ("Long silence", "silence was long", "Kim"), ("Calm", "静か, I think", "Kim")]
    assert rows[0]["created_at"] == "2023-01-02T03:04:05.000Z"  # naive time read as UTC
    problems = "\n".join(summary.problems)
    assert "outside the text" in problems
    assert "picture source 'photo.jpg'" in problems
    assert "1 link(s)" in problems


def test_liberal_reading_namespace_case_folder_and_qde_name(study, tmp_path):
    path, _ = _crlf_project(tmp_path, "raw", namespace="urn:QDA-XML:project:1:0", folder="sources",
                            bom=False, name="My Project.qde")
    import_qdpx(study, path)
    themes = study.query("SELECT t.name, p.name AS parent FROM themes t LEFT JOIN themes p ON p.id = t.parent_id ORDER BY t.id")
    assert themes == [{"name": "Feelings", "parent": None}, {"name": "Sub", "parent": "Feelings"}]
    codes = {r["name"]: r for r in study.query(
        "SELECT c.name, c.description, t.name AS theme, p.name AS parent FROM codes c "
        "LEFT JOIN themes t ON t.id = c.theme_id LEFT JOIN codes p ON p.id = c.parent_code_id")}
    assert codes["Silence"] == {"name": "Silence", "description": "silence, said so", "theme": "Feelings", "parent": None}
    assert codes["Long silence"]["theme"] == "Feelings" and codes["Long silence"]["parent"] == "Silence"
    assert codes["Calm"]["theme"] == "Sub"
    p = study.query("SELECT pseudonym, attributes FROM participants")
    assert p == [{"pseudonym": "P9", "attributes": '{"Age": 40}'}]
    memo = study.query("SELECT m.text, t.file_name FROM memos m JOIN transcripts t ON t.id = m.transcript_id")
    assert memo == [{"text": "First impression\n\nTense start.", "file_name": "P9 interview"}]
    # GUIDs stored lower case without braces
    assert study.scalar("SELECT uuid FROM themes WHERE name = 'Feelings'") == GUIDS["cat"].lower()


# -- real files from other tools -------------------------------------------------------------

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/refi-qda is not here")


@needs_shared
def test_qc_demo(study):
    project = read_qdpx(SHARED / "qc-demo.qdpx")
    assert len(project.codes) == 262 and len(project.sources) == 2
    assert sum(len(s.selections) for s in project.sources) == 158
    assert sum(len(sel.codings) for s in project.sources for sel in s.selections) == 205
    summary = import_qdpx(study, SHARED / "qc-demo.qdpx")
    assert study.scalar("SELECT count(*) FROM codes") == 262
    assert study.scalar("SELECT count(*) FROM codes WHERE parent_code_id IS NOT NULL") == 259
    assert study.scalar("SELECT count(*) FROM transcripts") == 2
    assert study.scalar("SELECT count(*) FROM codings") == 205
    assert {r["pseudonym"] for r in study.query("SELECT pseudonym FROM participants")} == {"admin-1", "board_2017"}
    # qc names its selections 'line:N': each starts at the start of line N (1-based)
    for r in study.query("SELECT k.start_pos, t.text FROM codings k JOIN transcripts t ON t.id = k.transcript_id"):
        assert r["start_pos"] == 0 or r["text"][r["start_pos"] - 1] == "\n"
    assert any("imported as 'citizenship (2)'" in p for p in summary.problems)


@needs_shared
def test_nvivo_project_reports_its_text_less_sources(study):
    summary = import_qdpx(study, SHARED / "nvivo-project.qdpx")
    assert study.scalar("SELECT count(*) FROM codes") == 262
    assert study.scalar("SELECT count(*) FROM transcripts") == 0
    assert study.scalar("SELECT count(*) FROM codings") == 0
    empty = [p for p in summary.problems if "plain text is empty" in p and ".docx" in p]
    assert len(empty) == 2


@needs_shared
def test_atlas_ti_projects(study, tmp_path):
    import_qdpx(study, SHARED / "atlasti-23-target.qdpx")
    rows = study.query("SELECT c.uuid, c.name, p.name AS parent FROM codes c LEFT JOIN codes p ON p.id = c.parent_code_id ORDER BY c.id")
    assert [(r["name"], r["parent"]) for r in rows] == [
        ("Commits", None), ("2022-05-10T02:05:59Z 19e4dce", "Commits"), ("2022-02-11T10:39:25Z cdbfd92", "Commits")]
    assert rows[0]["uuid"] == "a182cd3a-d83c-4d8c-bc80-26d9103ec6d6"
    with Study.open(tmp_path / "blank.db") as blank:
        summary = import_qdpx(blank, SHARED / "atlasti-23-blank.qdpx")
        assert summary.problems == [] and not summary.counts
        assert blank.scalar("SELECT count(*) FROM codes") == 0


def test_malformed_xml_and_merge_misuse_through_the_cli(cli, tmp_path):
    bad = _zip(tmp_path, {"project.qde": "<Project name='x'><Users>"}, "bad.qdpx")
    r = cli("--db", str(tmp_path / "s.db"), "import", str(bad))
    assert r.returncode == 1 and str(bad) in r.stderr and "not well-formed" in r.stderr
    assert not (tmp_path / "s.db").exists()
    t = tmp_path / "a.txt"
    t.write_text("P1: hello\n")
    r = cli("--db", str(tmp_path / "s.db"), "import", "--merge", str(t))
    assert r.returncode == 1 and "--merge applies to a .qdpx" in r.stderr


def test_redacted_export_through_the_cli(rich, cli, tmp_path):
    out = tmp_path / "red.qdpx"
    r = cli("--db", str(rich.path), "export", "qdpx", "--redact", "-o", str(out))
    assert r.returncode == 0 and "(redacted)" in r.stderr
    assert "Tromsø".encode() not in b"".join(_files(out.read_bytes()).values())


@needs_shared
def test_qc_demo_imported_then_exported_is_valid_and_comes_back_the_same(study, tmp_path):
    import_qdpx(study, SHARED / "qc-demo.qdpx")
    data = build_qdpx(study, redacted=False).data
    assert list(_schema().iter_errors(_qde(data).decode("utf-8"))) == []
    path = tmp_path / "again.qdpx"
    path.write_bytes(data)
    with Study.open(tmp_path / "again.db") as again:
        import_qdpx(again, path)
        assert _snapshot(again) == _snapshot(study)
        assert study_stats(again) == study_stats(study)

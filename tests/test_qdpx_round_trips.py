"""Round trips with other tools that lose nothing (issue 14): a project in
the shape QualCoder writes (no Case -> source links, Pilot as text, integers
as 11.0, memos as Descriptions, journals as Notes with a plainTextPath text
file) comes in with its participants, pilots, attributes, memos and journal;
our export writes them the same way; and a study exported, imported into a
fresh study and exported again gives the same."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tacompanion.formats.qdpx_export import build_qdpx, export_qdpx
from tacompanion.formats.qdpx_import import import_qdpx, read_qdpx
from tacompanion.store.analysis import analyse
from tacompanion.store.attributes import attribute_types, set_attribute
from tacompanion.store.memos import get_memo, save_memo
from tacompanion.store.participants import set_pilot
from tacompanion.store.qdpx import import_project, unassigned_sources
from tacompanion.store.study import Study
from tests.test_qdpx import XSD, make_study

NS = {"q": "urn:QDA-XML:project:1.0"}

G = {k: f"{n:08x}-1111-4222-8333-{n:012x}" for n, k in enumerate(
    ["t1", "t2", "p3", "p4", "src1", "src2", "src3", "src4", "src5", "pilot", "years", "job", "start",
     "journal", "code", "sel"], start=1)}

SOURCES = {
    # name -> text: t1 by its name's first word, T2 by its name, P3 by a speaker label,
    # the last by nothing (speakers that are no case)
    "src1": ("t1-interview.txt", "Interviewer: How was it?\nT1: Quiet, at first.\n"),
    "src2": ("T2", "Interviewer: How was it?\nSpeaker: Loud.\n"),
    "src3": ("session four.txt", "Interviewer: And you?\nP3: I kept silent.\nInterviewer: Why?\nP3: Fear.\n"),
    "src4": ("focus group.txt", "A: We talked.\nB: We did.\n"),
}


def qualcoder_project(tmp_path: Path, *, extra_sources: dict | None = None) -> Path:
    """A project as QualCoder 4.0 exports one: new GUIDs, no SourceRef in the
    cases, Pilot and Years as Text and Float, memos as Descriptions, the
    journal as a Note with a plainTextPath file, sources with a BOM."""
    sources = {**SOURCES, **(extra_sources or {})}
    text_sources = []
    files = {}
    for key, (name, text) in sources.items():
        guid = G.get(key, key)
        desc = "<Description>Recorded in a noisy room.</Description>" if key == "src1" else ""
        sel = ""
        if key == "src3":
            a = text.index("I kept silent")
            sel = (f'<PlainTextSelection guid="{G["sel"]}" startPosition="{a}" endPosition="{a + 13}" '
                   f'name="I kept silent"><Coding guid="{G["sel"][:-3]}999"><CodeRef targetGUID="{G["code"]}"/>'
                   "</Coding></PlainTextSelection>")
        text_sources.append(f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{guid}.txt">'
                            f"{desc}{sel}</TextSource>")
        files[f"sources/{guid}.txt"] = b"\xef\xbb\xbf" + text.encode("utf-8")
    files[f"sources/{G['journal']}.txt"] = b"Noticed I steer towards silence.\nMust ask more openly."

    def value(var, kind, v):
        return (f'<VariableValue><VariableRef targetGUID="{G[var]}"/><{kind}>{v}</{kind}></VariableValue>')

    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="back from qualcoder" origin="QualCoder 4.0">
 <CodeBook><Codes><Code guid="{G['code']}" name="Silence" isCodable="true"/></Codes></CodeBook>
 <Variables>
  <Variable guid="{G['pilot']}" name="Pilot" typeOfVariable="Text"/>
  <Variable guid="{G['years']}" name="Years" typeOfVariable="Float"/>
  <Variable guid="{G['job']}" name="Profession" typeOfVariable="Text"/>
  <Variable guid="{G['start']}" name="Started" typeOfVariable="Date"/>
 </Variables>
 <Cases>
  <Case guid="{G['t1']}" name="T1"><Description>Came late, left early.</Description>
   {value('pilot', 'TextValue', 'true')}{value('years', 'FloatValue', '11.0')}{value('job', 'TextValue', 'nurse')}
   {value('start', 'DateValue', '2026-03-01')}</Case>
  <Case guid="{G['t2']}" name="T2">{value('pilot', 'TextValue', 'no')}{value('years', 'FloatValue', '4.0')}
   {value('job', 'TextValue', 'doctor')}</Case>
  <Case guid="{G['p3']}" name="P3">{value('pilot', 'TextValue', '0')}{value('years', 'FloatValue', '20')}
   {value('job', 'TextValue', 'nurse')}</Case>
 </Cases>
 <Sources>{''.join(text_sources)}</Sources>
 <Notes><Note guid="{G['journal']}" name="Week 1 reflections" creationDateTime="2026-03-02T18:00:00Z"
   plainTextPath="internal://{G['journal']}.txt"/></Notes>
 <Description>A study of silence in group therapy.</Description>
</Project>"""
    files["project.qde"] = xml.encode("utf-8")
    path = tmp_path / "qualcoder.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    return path


def _people(study: Study) -> dict[str, dict]:
    return {r["pseudonym"]: {"pilot": bool(r["pilot"]), "attributes": json.loads(r["attributes"])}
            for r in study.query("SELECT pseudonym, pilot, attributes FROM participants")}


def _owner(study: Study) -> dict[str, str]:
    return {r["file_name"]: r["pseudonym"] for r in study.query(
        "SELECT t.file_name, p.pseudonym FROM transcripts t JOIN participants p ON p.id = t.participant_id")}


# -- a project from QualCoder ----------------------------------------------------------------


def test_sources_without_case_links_are_matched_by_name_first_word_and_speaker(study, tmp_path):
    summary = import_qdpx(study, qualcoder_project(tmp_path))
    owners = _owner(study)
    assert owners["t1-interview.txt"] == "T1"  # first word of the name
    assert owners["T2"] == "T2"  # the name itself
    assert owners["session four.txt"] == "P3"  # the only case its speaker labels name
    problems = "\n".join(summary.problems)
    assert "'session four.txt': no case points to it; given to P3" in problems
    # the one nothing matches: a participant made from its file name, and said so
    assert owners["focus group.txt"] == "focus group"
    assert "'focus group.txt': no case points to it" in problems
    assert "new participant 'focus group' named after the file" in problems
    # the coding on the speaker-matched source came too
    assert study.scalar("SELECT count(*) FROM codings") == 1


def test_a_text_pilot_value_a_float_integer_and_a_date_are_read_as_typed(study, tmp_path):
    summary = import_qdpx(study, qualcoder_project(tmp_path))
    people = _people(study)
    assert people["T1"] == {"pilot": True,
                            "attributes": {"Years": 11, "Profession": "nurse", "Started": "2026-03-01"}}
    assert people["T2"]["pilot"] is False and people["P3"]["pilot"] is False
    assert isinstance(people["T1"]["attributes"]["Years"], int)
    assert attribute_types(study) == {"Profession": "text", "Started": "date", "Years": "integer"}
    assert any("'Years': declared Float, every value a whole number" in p for p in summary.problems)
    # the pilot is out of N: 3 participants with data, T1 a pilot
    assert analyse(study).total == 3


@pytest.mark.parametrize("spelling, pilot", [("true", True), ("yes", True), ("1", True), ("FALSE", False),
                                             ("no", False), ("0", False)])
def test_pilot_spellings(study, tmp_path, spelling, pilot):
    path = qualcoder_project(tmp_path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["project.qde"] = files["project.qde"].replace(b"<TextValue>true</TextValue>",
                                                        f"<TextValue>{spelling}</TextValue>".encode())
    with zipfile.ZipFile(path, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    import_qdpx(study, path)
    assert _people(study)["T1"]["pilot"] is pilot


def test_a_number_declared_integer_here_stays_an_integer_on_merge(study, tmp_path):
    import_qdpx(study, qualcoder_project(tmp_path))
    with study.write() as db:  # a study that declares Years as an integer and lacks P3
        db.execute("DELETE FROM participants WHERE pseudonym IN ('P3', 'focus group')")
    project = read_qdpx(qualcoder_project(tmp_path))
    for case in project.cases:
        case.values["Years"] = float(case.values["Years"])
    import_project(study, project, merge=True)
    assert _people(study)["P3"]["attributes"]["Years"] == 20
    assert isinstance(_people(study)["P3"]["attributes"]["Years"], int)


def test_descriptions_become_memos_and_the_plain_text_note_a_journal_entry(study, tmp_path):
    summary = import_qdpx(study, qualcoder_project(tmp_path))
    t1 = study.scalar("SELECT id FROM participants WHERE pseudonym = 'T1'")
    tid = study.scalar("SELECT id FROM transcripts WHERE file_name = 't1-interview.txt'")
    assert get_memo(study, "participant", t1) == "Came late, left early."
    assert get_memo(study, "transcript", tid) == "Recorded in a noisy room."
    assert get_memo(study, None) == "A study of silence in group therapy."
    assert study.query("SELECT entry_date, text FROM journal") == [{
        "entry_date": "2026-03-02",
        "text": "Week 1 reflections\n\nNoticed I steer towards silence.\nMust ask more openly."}]
    # no memo became a bare note
    assert study.scalar("SELECT count(*) FROM memos") == 3
    assert summary.counts["journal entries"] == 1


def test_unassigned_sources_are_known_before_import_and_an_answer_places_them(study, tmp_path):
    project = read_qdpx(qualcoder_project(tmp_path))
    assert unassigned_sources(study, project) == ["focus group.txt"]
    summary = import_project(study, project, assign={"focus group.txt": "P3"})
    assert _owner(study)["focus group.txt"] == "P3"
    assert not any("focus group" in p for p in summary.problems)
    assert study.scalar("SELECT count(*) FROM participants") == 3  # nobody invented


# -- our export, the way other tools read it -------------------------------------------------


def _root(data: bytes) -> ET.Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return ET.fromstring(z.read("project.qde"))


def test_export_writes_the_journal_as_notes_with_a_text_file_and_valid_variables(study):
    import xmlschema

    make_study(study)
    set_attribute(study, "P1", "Started", "2026-03-01")
    data = build_qdpx(study).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = ET.fromstring(z.read("project.qde"))
        journal = [n for n in root.findall("q:Notes/q:Note", NS) if n.get("name", "").startswith("Reflexive")]
        assert len(journal) == 1 and journal[0].find("q:PlainTextContent", NS) is None
        path = journal[0].get("plainTextPath")
        assert path == f"internal://{journal[0].get('guid')}.txt"
        assert z.read(f"sources/{journal[0].get('guid')}.txt").decode() == "I noticed my own unease."
        assert list(xmlschema.XMLSchema(str(XSD)).iter_errors(z.read("project.qde").decode())) == []
    types = {v.get("name"): v.get("typeOfVariable") for v in root.findall("q:Variables/q:Variable", NS)}
    assert types == {"age": "Integer", "consent": "Boolean", "Pilot": "Boolean", "role": "Text",
                     "Started": "Date", "years": "Float"}


def test_redaction_reaches_descriptions_and_the_journal_file(study):
    make_study(study)
    save_memo(study, None, None, "Fieldwork in Tromsø.")
    pid = study.scalar("SELECT id FROM participants WHERE pseudonym = 'P2'")
    save_memo(study, "participant", pid, "Introduced by Anna Berg.")
    with study.write() as db:
        db.execute("UPDATE journal SET text = 'Back from Tromsø.'")
    with zipfile.ZipFile(io.BytesIO(build_qdpx(study, redacted=True).data)) as z:
        every = b"".join(z.read(n) for n in z.namelist()).decode()
    assert "Tromsø" not in every and "Anna Berg" not in every
    assert "Introduced by [name]." in every and "Back from [city]." in every


def test_shared_names_warn_and_can_be_qualified_with_the_parent(study):
    from tacompanion.store.themes import create_theme

    a = create_theme(study, "Coping")
    b = create_theme(study, "Work")
    create_theme(study, "Support", parent_id=a)
    create_theme(study, "Support", parent_id=b)
    plain = build_qdpx(study)
    assert len(plain.warnings) == 1 and "'Support'" in plain.warnings[0] and "--qualify-names" in plain.warnings[0]
    names = {c.get("name") for c in _root(plain.data).iter("{urn:QDA-XML:project:1.0}Code")}
    assert names == {"Coping", "Work", "Support"}
    qualified = build_qdpx(study, qualify_names=True)
    names = {c.get("name") for c in _root(qualified.data).iter("{urn:QDA-XML:project:1.0}Code")}
    assert names == {"Coping", "Work", "Support (Coping)", "Support (Work)"}
    # nothing to warn about, nothing said
    with Study.open(study.path.with_name("other.db")) as other:
        make_study(other)
        assert build_qdpx(other).warnings == []


# -- the whole round trip --------------------------------------------------------------------


def _what_travels(study: Study) -> dict:
    q = study.query
    memos = sorted((r["text"], r["what"] or "study") for r in q(
        "SELECT m.text, coalesce('participant ' || p.pseudonym, 'transcript ' || t.file_name, "
        " 'code ' || c.name, 'theme ' || th.name, 'interview of ' || ip.pseudonym, "
        " 'note ' || n.text, 'turn ' || s.position) AS what FROM memos m "
        "LEFT JOIN participants p ON p.id = m.participant_id LEFT JOIN transcripts t ON t.id = m.transcript_id "
        "LEFT JOIN codes c ON c.id = m.code_id LEFT JOIN themes th ON th.id = m.theme_id "
        "LEFT JOIN interviews i ON i.id = m.interview_id LEFT JOIN participants ip ON ip.id = i.participant_id "
        "LEFT JOIN notes n ON n.id = m.note_id LEFT JOIN segments s ON s.id = m.segment_id"))
    return {"participants": _people(study), "types": attribute_types(study), "memos": memos,
            "journal": q("SELECT entry_date, text FROM journal ORDER BY entry_date, text"),
            "owners": _owner(study), "N": analyse(study).total}


def test_export_import_export_gives_the_same_people_memos_and_journal(study, tmp_path):
    make_study(study)
    set_pilot(study, "P2", True)  # marked after import
    set_pilot(study, "P0", False)
    set_attribute(study, "P1", "Started", "2026-03-01")
    set_attribute(study, "P2", "age", "52")
    set_attribute(study, "P2", "years", "3")  # a decimal with a whole value stays a decimal
    with study.write() as db:
        db["journal"].insert({"uuid": "2f0c0a4e-0000-4000-8000-000000000001", "entry_date": "2026-11-22",
                              "text": "Second entry.\n\nTwo paragraphs.", "created_at": "2026-11-22T08:00:00.000Z"})
    first = tmp_path / "first.qdpx"
    export_qdpx(study, first)
    with Study.open(tmp_path / "fresh.db") as fresh:
        summary = import_qdpx(fresh, first)
        assert summary.problems == []
        assert _what_travels(fresh) == _what_travels(study)
        second = build_qdpx(fresh).data
    # and the second export carries the same participants, variables, memos and journal
    a, b = _root(first.read_bytes()), _root(second)

    def shape(root):
        var = {v.get("guid"): (v.get("name"), v.get("typeOfVariable"))
               for v in root.findall("q:Variables/q:Variable", NS)}
        cases = {c.get("name"): (c.findtext("q:Description", "", NS),
                                 sorted((var[v.find("q:VariableRef", NS).get("targetGUID")], v[1].tag, v[1].text)
                                        for v in c.findall("q:VariableValue", NS)))
                 for c in root.findall("q:Cases/q:Case", NS)}
        notes = sorted((n.get("name"), n.get("guid")) for n in root.findall("q:Notes/q:Note", NS))
        sources = sorted((s.get("name"), s.findtext("q:Description", "", NS))
                         for s in root.findall("q:Sources/q:TextSource", NS))
        return cases, notes, sources, root.findtext("q:Description", "", NS)

    assert shape(a) == shape(b)

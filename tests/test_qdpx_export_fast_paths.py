"""The shortcuts of issue 16 in `export qdpx` give exactly what the plain way
gives: GUIDs from a SHA-1 hexdigest are uuid.uuid5's, a selection's name
taken as it is equals the flattened, cleaned and escaped one, spans grouped
as runs of codings read by span equal the grouping by dict, a transcript's
.txt read as the study's own bytes equals its text encoded; and a study
with every kind of selection (one coding, several codes, several coders, a
memo on the span, odd times and uuids) exports what the rules say."""

from __future__ import annotations

import io
import random
import sqlite3
import types
import uuid
import zipfile
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tacompanion.core.document import DocRef
from tacompanion.core.qdpx import derived_guid as derived_guid_of_core_qdpx
from tacompanion.core.qdpx_export import derived_guid, guid_from_sha1_hex, namespace_hash
from tacompanion.core.spans import Span
from tacompanion.formats.qdpx_export import _clean, _date, _esc, _quote, _selection_name, _span_groups, build_qdpx
from tacompanion.formats.transcript_files import parse_transcript_bytes, transcript_format
from tacompanion.store.codes import apply_code, create_code
from tacompanion.store.memos import save_memo
from tacompanion.store.participants import ensure_participant
from tacompanion.store.qdpx_export import export_text, export_text_utf8
from tacompanion.store.redactions import add_redaction
from tacompanion.store.transcripts import import_transcript

SAME = settings(max_examples=400, deadline=None, database=None, derandomize=True)
NS = "urn:QDA-XML:project:1.0"

# -- GUIDs ------------------------------------------------------------------------------


def test_derived_guids_are_uuid5_in_the_study_namespace():
    rng = random.Random(5)
    pieces = ["selection", "coder", "a", "Ø", "\x1f", "😀", "12", " ", "\x00", "'\"<&>", "e\u0301"]
    variants = set()
    for _ in range(3000):
        su = str(uuid.UUID(int=rng.getrandbits(128)))
        parts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(1, 5))]
        want = str(uuid.uuid5(uuid.UUID(su), "\x1f".join(parts)))
        assert derived_guid(su, *parts) == want
        h = namespace_hash(su).copy()
        h.update("\x1f".join(parts).encode())
        assert guid_from_sha1_hex(h.hexdigest()) == want
        variants.add(h.hexdigest()[16])
    assert variants == set("0123456789abcdef")  # every value of the digit the variant is set on


@pytest.mark.parametrize("su", ["", "not a uuid", "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}", "tacompanion"])
def test_a_study_uuid_of_another_shape_still_gives_uuid5(su):
    try:
        namespace = uuid.UUID(su)
    except ValueError:
        namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"tacompanion:{su}")
    assert derived_guid(su, "coder", "AB") == str(uuid.uuid5(namespace, "coder\x1fAB"))
    assert derived_guid_of_core_qdpx is derived_guid  # core.qdpx gives the import the same function


# -- selection names ---------------------------------------------------------------------

NAME_PIECES = ["a", "word", " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028",
               "\u3000", "&", "<", ">", '"', "'", "ø", "\u2026", "😀", "\x00", "\x01", "\ufffe", "e\u0301", "\ud800",
               "x" * 30, "long words here " * 3]


def _plain_name(text: str, start: int, end: int) -> str:
    return _esc(_clean(_quote(text[start:end])))


@SAME
@given(st.lists(st.sampled_from(NAME_PIECES), max_size=12), st.data())
def test_a_selection_name_is_the_flattened_cleaned_escaped_text(pieces, data):
    text = "".join(pieces)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _selection_name(text, start, end) == _plain_name(text, start, end)


@pytest.mark.parametrize("piece", ["x" * 59, "x" * 60, "x" * 61, "a " * 40, " lead", "trail ", "two  spaces",
                                   "Tromsø & <Bergen> \"quoted\"", "x" * 58 + " &amp", "ok\u2026" * 30, ""])
def test_a_selection_name_at_the_edges(piece):
    text = "before|" + piece + "|after"
    assert _selection_name(text, 7, 7 + len(piece)) == _plain_name(text, 7, 7 + len(piece))


# -- grouping spans ----------------------------------------------------------------------


def test_runs_of_codings_read_by_span_group_as_the_dict_does():
    rng = random.Random(7)
    for _ in range(500):
        codings = []
        for i in range(rng.randint(0, 30)):
            start = rng.randint(0, 20)
            codings.append((start, start + rng.randint(1, 4), rng.randint(1, 10_000), f"u{i}", rng.randint(1, 5),
                            rng.choice(["", "AB", "CD"]), "2026-01-01T00:00:00.000Z"))
        codings.sort(key=lambda c: (c[0], c[1]))  # by span only: ties in any order, as the index gives them
        memos = []
        for i in range(rng.randint(0, 4)):
            start = rng.randint(0, 20)
            memos.append((start, start + rng.randint(1, 4), ("segment_id", i)))
        assert _span_groups(codings, memos, None, True) == _span_groups(codings, memos, None, False)


# -- a transcript's bytes ----------------------------------------------------------------

HOSTILE_TEXTS = ["", "plain", "Tromsø café", "e\u0301 😀 𠀋 我", "line\r\nbreak\rlone CR", "nul \x00 inside",
                 "\ufeffBOM first", "\u2028\u2029 separators", "\ud7ff\ue000\uffff"]


def test_a_transcripts_stored_bytes_are_its_text_encoded(study):
    pid = ensure_participant(study, "P1")
    ids = []
    with study.write() as db:
        table = db["transcripts"]
        for n, text in enumerate(HOSTILE_TEXTS):
            table.insert({"uuid": str(uuid.uuid4()), "participant_id": pid, "file_name": f"t{n}.txt",
                          "format": "txt", "source_hash": f"h{n}", "text": text,
                          "imported_at": "2026-01-01T00:00:00.000Z"})
            ids.append(table.last_pk)
    for tid, text in zip(ids, HOSTILE_TEXTS, strict=True):
        assert export_text(study, tid) == text
        assert export_text_utf8(study, tid) == text.encode("utf-8")


def test_a_study_file_in_utf16_gives_no_bytes_and_the_export_decodes():
    conn = sqlite3.connect(":memory:")
    conn.execute("PRAGMA encoding = 'UTF-16le'")
    conn.execute("CREATE TABLE transcripts (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO transcripts (text) VALUES ('Tromsø')")
    assert export_text_utf8(types.SimpleNamespace(conn=conn), 1) is None


# -- a study with every kind of selection ------------------------------------------------

TEXT = ("Interviewer: How was it?\n\n"
        "P1: It was  quiet\tand long, like Tromsø & <Bergen> in \"winter\", and the silence "
        "went on and on and on for what felt like a very long time indeed.\n\n"
        "Interviewer: And then?\n\n"
        "P1: Then it got better.\n")


def _spans(piece: str) -> Span:
    start = TEXT.index(piece)
    return Span(start, start + len(piece))


@pytest.fixture
def kinds(study):
    parsed = parse_transcript_bytes(TEXT.encode(), transcript_format("p1.txt"), "p1.txt")
    tid = import_transcript(study, parsed.with_interviewer_labels(["Interviewer"]), participant="P1",
                            file_name="p1.txt").transcript_id
    doc = DocRef(transcript_id=tid)
    a, b, c = (create_code(study, name) for name in ("quiet", "long", "better"))
    quiet = _spans("quiet\tand long")
    apply_code(study, a, doc, quiet, "AB")                               # one coding
    apply_code(study, a, doc, _spans("Tromsø & <Bergen>"), "CD")         # escaped name
    long = _spans("like Tromsø")
    apply_code(study, b, doc, Span(long.start, len(TEXT) - 30), "AB")   # a long name, cut
    with study.write() as db:
        seg = db.execute("SELECT id, start_pos, end_pos FROM segments WHERE transcript_id = ? ORDER BY start_pos",
                         (tid,)).fetchall()
    last = Span(seg[-1][1], seg[-1][2])  # the last turn: codes and coders on one span, and a memo on it
    for code, coder in ((a, "AB"), (b, "AB"), (c, "CD"), (b, "EF"), (a, "")):
        apply_code(study, code, doc, last, coder)
    with study.write() as db:
        # times and uuids as an imported project may leave them
        rows = db.execute("SELECT id FROM codings ORDER BY id").fetchall()
        odd = ["2026-01-02 03:04:05", "2026-01-02T03:04:05+02:00", "garbage", "2026-01-02T03:04:05.5Z"]
        for (cid,), when in zip(rows, odd, strict=False):
            db.execute("UPDATE codings SET created_at = ? WHERE id = ?", (when, cid))
        db.execute("UPDATE codings SET uuid = 'odd&\"<uuid>' WHERE id = ?", (rows[-1][0],))
    save_memo(study, "segment", seg[-1][0], "a memo on the last turn")
    save_memo(study, "segment", seg[0][0], "a memo on the first turn")
    return study


def _expected_selections(study) -> list[tuple]:
    """(guid, name, start, end, creatingUser, creationDateTime, [(coding guid, code guid, user, time)]), as the
    rules say: one selection per span and coder, codings by id, the first selection's GUID without its coder."""
    su = study.setting("study_uuid")
    users = {}
    out = []
    rows = study.conn.execute(
        "SELECT c.start_pos, c.end_pos, c.id, c.uuid, k.uuid, c.coder, c.created_at, t.uuid FROM codings c "
        "JOIN codes k ON k.id = c.code_id JOIN transcripts t ON t.id = c.transcript_id "
        "ORDER BY c.start_pos, c.end_pos, c.id").fetchall()
    spans = sorted({(r[0], r[1]) for r in rows})
    for start, end in spans:
        here = [r for r in rows if (r[0], r[1]) == (start, end)]
        coders = list(dict.fromkeys(r[5] for r in here))
        for i, coder in enumerate(coders):
            mine = [r for r in here if r[5] == coder]
            parts = ["selection", here[0][7], str(start), str(end)] + ([coder] if i else [])
            user = users.setdefault(coder, derived_guid(su, "coder", coder)) if coder else None
            out.append((derived_guid(su, *parts), _quote(TEXT[start:end]), str(start), str(end), user,
                        _date(mine[0][6]),
                        [(r[3], r[4], user, _date(r[6])) for r in mine]))
    return out


def test_every_kind_of_selection_comes_out_as_the_rules_say(kinds):
    with zipfile.ZipFile(io.BytesIO(build_qdpx(kinds, redacted=False).data)) as z:
        root = ET.fromstring(z.read("project.qde"))
    got = []
    memo_refs = []
    for sel in root.iter(f"{{{NS}}}PlainTextSelection"):
        a = sel.attrib
        got.append((a["guid"], a["name"], a["startPosition"], a["endPosition"], a.get("creatingUser"),
                    a.get("creationDateTime"),
                    [(c.get("guid"), c.find(f"{{{NS}}}CodeRef").get("targetGUID"), c.get("creatingUser"),
                      c.get("creationDateTime")) for c in sel.findall(f"{{{NS}}}Coding")]))
        memo_refs.append(len(sel.findall(f"{{{NS}}}NoteRef")))
    coded = [g for g in got if g[6]]
    assert coded == _expected_selections(kinds)
    # the memo on a coded span is on that span's first selection (of four); the other has one of its own
    last_span = [i for i, g in enumerate(got) if g[2:4] == got[-1][2:4]]
    assert [memo_refs[i] for i in last_span] == [1, 0, 0, 0]
    assert sum(memo_refs) == 2 and len(got) == len(coded) + 1
    # the kinds are there: a name cut, an escaped uuid, times rewritten and left out, several coders on a span
    assert any(name.endswith("\u2026") for _, name, *_ in coded)
    assert "odd&\"<uuid>" in {c[0] for g in coded for c in g[6]}
    assert {c[3] for g in coded for c in g[6]} >= {None, "2026-01-02T03:04:05Z", "2026-01-02T01:04:05Z"}
    assert max(len(g[6]) for g in coded) == 2 and len({g[4] for g in coded}) == 4


def test_a_redaction_list_that_finds_nothing_changes_no_byte(kinds):
    """Sources where redaction finds nothing keep their positions (and take
    the shortcuts); a list that finds something still changes the file."""
    plain = build_qdpx(kinds, redacted=False).data
    add_redaction(kinds, "Anna Berg", "[name]")
    assert build_qdpx(kinds, redacted=True).data == plain
    add_redaction(kinds, "Bergen", "[city]")
    with zipfile.ZipFile(io.BytesIO(build_qdpx(kinds, redacted=True).data)) as z:
        texts = [z.read(n) for n in z.namelist() if n.startswith("sources/")]
    assert texts == [TEXT.replace("Bergen", "[city]").encode()]

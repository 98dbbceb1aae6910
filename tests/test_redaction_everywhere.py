"""Redaction by default in every export, over every field, every case and
Unicode case variant, in either normalisation form."""

from __future__ import annotations

import io
import json
import unicodedata
import xml.etree.ElementTree as ET
import zipfile

import pytest

from tacompanion.core.document import DocRef
from tacompanion.core.redaction import compile_redactions, fold
from tacompanion.core.spans import Span
from tacompanion.formats.by_question_md import by_question_markdown
from tacompanion.formats.codings_csv import coding_rows
from tacompanion.formats.notes_csv import redacted_rows
from tacompanion.formats.qdpx_export import build_qdpx
from tacompanion.store.codes import apply_code, create_code, describe_code
from tacompanion.store.journal import add_entry
from tacompanion.store.memos import save_memo
from tacompanion.store.redactions import add_redaction
from tacompanion.store.study import Study
from tacompanion.store.themes import create_theme, define_theme
from tacompanion.store.transcripts import import_transcript
from tests.test_transcript_import import parsed

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731


# -- the rules ---------------------------------------------------------------------------


def test_case_and_unicode_case_variants_match():
    redact = compile_redactions([("Tromsø", "[city]"), ("lørenskog", "[town]")])
    assert redact("TROMSØ, tromsø, Tromsø; Lørenskog, LØRENSKOG") == "[city], [city], [city]; [town], [town]"


def test_sharp_s_matches_its_own_spelling_and_ss():
    redact = compile_redactions([("Weißstraße", "[street]")])
    assert redact("Weißstraße, WEISSSTRASSE, weissstrasse") == "[street], [street], [street]"
    assert compile_redactions([("STRASSE", "[s]")])("an der Straße") == "an der [s]"


@pytest.mark.parametrize("find_form, text_form", [("NFC", "NFD"), ("NFD", "NFC"), ("NFD", "NFD")])
def test_any_normalisation_form_matches(find_form, text_form):
    find = unicodedata.normalize(find_form, "Tromsø Åsane")
    text = unicodedata.normalize(text_form, "I grew up in Tromsø Åsane, then TROMSØ ÅSANE again.")
    out = compile_redactions([(find, "[place]")])(text)
    assert out == "I grew up in [place], then [place] again."


def test_a_name_with_a_genitive_is_the_name_but_a_longer_word_is_not():
    redact = compile_redactions([("Tromsø", "[city]"), ("Ann", "[name]")])
    assert redact("Tromsøs havn, Ann's dog, Ann’s cat, Anns bok") == "[city]s havn, [name]'s dog, [name]’s cat, [name]s bok"
    assert redact("Anne, Annika, annual, Joanna, Tromsøbrua") == "Anne, Annika, annual, Joanna, Tromsøbrua"
    assert redact(NFD("TROMSØS")) == "[city]S"


def test_a_space_in_a_find_matches_a_line_break():
    assert compile_redactions([("Anna Berg", "[name]")])("said Anna\nBerg.") == "said [name]."


def test_fold_is_the_canonical_caseless_form():
    assert fold("Straße") == fold("STRASSE") and fold("Ø") == fold(NFD("ø"))


# -- every field of every export ------------------------------------------------------------

PLACE = "Lørenskog"


def _planted(tmp_path) -> Study:
    """A study with the place name, in several spellings, in every field."""
    study = Study.open(tmp_path / f"{PLACE}-study.db")
    add_redaction(study, PLACE, "[place]")
    text = (f"Interviewer: Where?\n\nP1: In {NFD(PLACE.upper())}, and {PLACE}s school.\n\n"
            f"P1: Back to {PLACE.lower()} later.\n")
    tid = import_transcript(study, parsed(text, name=f"{PLACE.lower()}.txt"), participant="P1",
                            file_name=f"{PLACE.lower()}.txt").transcript_id
    study.conn.execute("UPDATE participants SET attributes = ?",
                       (json.dumps({f"born in {PLACE}": f"yes, {PLACE.upper()}", "home": PLACE}),))
    study.conn.commit()
    code = create_code(study, f"{PLACE}s ways")
    describe_code(study, code, f"about {PLACE}")
    theme = create_theme(study, PLACE.lower())
    define_theme(study, theme, f"Life in {NFD(PLACE)}")
    start = text.index("In ")
    apply_code(study, code, DocRef(transcript_id=tid), Span(start, start + 20), f"{PLACE} coder")
    save_memo(study, "code", code, f"memo on {PLACE}")
    save_memo(study, None, None, f"study memo {PLACE.upper()}")
    add_entry(study, f"journal: {PLACE}")
    return study


def _no_place(text: str) -> None:
    assert fold("rensk") not in fold(text), text


def test_qdpx_is_redacted_by_default_in_every_field(tmp_path):
    study = _planted(tmp_path)
    data = build_qdpx(study).data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            _no_place(z.read(name).decode("utf-8"))
        xml = z.read("project.qde").decode("utf-8")
    assert "[place]" in xml
    raw = build_qdpx(study, redacted=False).data
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        assert PLACE in z.read("project.qde").decode("utf-8")
    study.close()


def test_qdpx_source_names_are_redacted_exactly_as_in_the_codings_csv(tmp_path):
    study = _planted(tmp_path)
    root = ET.fromstring(zipfile.ZipFile(io.BytesIO(build_qdpx(study).data)).read("project.qde"))
    ns = {"q": root.tag[1:].split("}")[0]}
    source_names = {el.get("name") for el in root.iter(f"{{{ns['q']}}}TextSource")}
    csv_names = {r["transcript"] for r in redacted_rows(study, coding_rows(study))}
    assert source_names == csv_names == {"[place].txt"}
    study.close()


def test_by_question_redacts_the_guide_too(tmp_path):
    from tacompanion.core.guide_parser import parse_guide
    from tacompanion.store.guides import save_guide

    study = Study.open(tmp_path / "s.db")
    add_redaction(study, PLACE, "[place]")
    source = f"# Growing up in {PLACE}\n## {PLACE.upper()} years [5 min]\n- What was {PLACE} like?\n"
    save_guide(study, parse_guide(source), source, "g.md")
    out = by_question_markdown(study)
    _no_place(out)
    assert out.count("[place]") >= 3
    study.close()


# -- the command line -------------------------------------------------------------------------


def test_every_export_command_redacts_by_default_and_takes_the_same_flags(tmp_path, cli):
    from tacompanion.cli.common import EXPORT_KINDS

    study = _planted(tmp_path)
    create_theme(study, "Holding")
    path = study.path
    study.close()
    for kind in EXPORT_KINDS:
        extra = ["--theme", "Holding"] if kind == "quotes" else []
        out = tmp_path / (f"out-{kind}.csv" if kind == "audit" else f"out-{kind}")
        for flags, redacted in (([], True), (["--redact"], True), (["--no-redact"], False)):
            done = cli("--db", str(path), "export", kind, *extra, "-o", str(out), *flags)
            assert done.returncode == 0, (kind, flags, done.stderr)
            data = out.read_bytes()
            if kind == "qdpx":
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    data = b"".join(z.read(n) for n in z.namelist())
            text = data.decode("utf-8")
            if redacted:
                _no_place(text)
            elif kind in ("qdpx", "codings", "report", "codebook"):
                assert "rensk" in fold(text), (kind, flags)

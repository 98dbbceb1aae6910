"""The redaction list: how it matches, the `redact` commands, and that every
export is redacted while the stored text is not."""

from __future__ import annotations

import pytest

from tacompanion.core.redaction import compile_redactions
from tacompanion.store.redactions import add_redaction, list_redactions, redactor, remove_redaction
from tacompanion.store.study import Study, StudyError

from .test_report import build


def test_whole_words_any_case_longest_first_one_pass():
    redact = compile_redactions([
        ("Tromsø", "[city]"), ("Ann", "[name]"), ("Oslo", "[city]"),
        ("Oslo University", "[university]"), ("Dr. Berg", "[doctor]"), ("[city]", "LOOP"),
    ])
    assert redact("In Tromsø, TROMSØ-born Ann met Anne at Oslo University in Oslo; annual.") == (
        "In [city], [city]-born [name] met Anne at [university] in [city]; annual.")
    assert redact("Dr. Berg, not Dr. Bergen") == "[doctor], not Dr. Bergen"
    assert redact("Ann's mother, ann.") == "[name]'s mother, [name]."
    assert compile_redactions([])("Ann") == "Ann"


def test_store_add_change_list_remove(study):
    assert add_redaction(study, "  Tromsø ", "[city]") == "added"
    assert add_redaction(study, "Ann", "[name]") == "added"
    assert add_redaction(study, "tromsø", "[town]") == "changed"  # the same find, any case
    assert add_redaction(study, "tromsø", "[town]") == "unchanged"
    assert [(r.find, r.replacement) for r in list_redactions(study)] == [("tromsø", "[town]"), ("Ann", "[name]")]
    assert redactor(study)("Ann in Tromsø") == "[name] in [town]"
    assert remove_redaction(study, "ANN").find == "Ann"
    with pytest.raises(StudyError, match="not on the redaction list"):
        remove_redaction(study, "Ann")
    with pytest.raises(StudyError):
        add_redaction(study, "   ", "x")


def test_cli_redact_commands(cli, db_path):
    Study.open(db_path).close()
    db = ["--db", str(db_path)]
    done = cli(*db, "redact", "list")
    assert done.returncode == 0 and "the redaction list is empty" in done.stdout
    assert cli(*db, "redact", "add", "Tromsø", "[city]").stdout == "added 'Tromsø' -> '[city]'\n"
    assert cli("redact", "add", "Oslo University", "[university]", *db).returncode == 0
    assert cli(*db, "redact", "list").stdout == (
        "Oslo University  ->  [university]\nTromsø           ->  [city]\n")
    assert cli(*db, "redact", "remove", "tromsø").stdout == "removed 'Tromsø' -> '[city]'\n"
    done = cli(*db, "redact", "remove", "Tromsø")
    assert done.returncode == 1 and done.stderr.startswith("tacompanion: error: 'Tromsø' is not on")
    assert cli(*db, "redact").returncode == 2


@pytest.mark.parametrize("kind, extra", [
    ("report", ["--journal"]), ("quotes", ["--theme", "Holding shame"]), ("codings", []),
    ("notes", []), ("codebook", []),
])
def test_every_export_is_redacted_and_the_stored_text_is_not(cli, db_path, kind, extra):
    with Study.open(db_path) as study:
        build(study)
        study.conn.execute("UPDATE notes SET text = text || ' Tromsø.'")
        study.conn.execute("UPDATE codes SET description = description || ' (Tromsø)'")
        study.conn.commit()
        add_redaction(study, "Tromsø", "[city]")
        before = [r[0] for r in study.conn.execute("SELECT text FROM transcripts ORDER BY id")]
    done = cli("--db", str(db_path), "export", kind, *extra)
    assert done.returncode == 0, done.stderr
    assert "[city]" in done.stdout and "Tromsø" not in done.stdout
    raw = cli("--db", str(db_path), "export", kind, *extra, "--no-redact")
    assert raw.returncode == 0 and "Tromsø" in raw.stdout and "[city]" not in raw.stdout
    with Study.open(db_path) as study:
        after = [r[0] for r in study.conn.execute("SELECT text FROM transcripts ORDER BY id")]
        notes = study.scalar("SELECT text FROM notes")
    assert after == before and any("Tromsø" in t for t in after)
    assert notes.endswith("Tromsø.")


def test_a_row_redacted_at_once_is_each_cell_redacted():
    """compile_row_redactions (one pass per row, with a quick casefold test
    first) gives what compile_redactions gives cell by cell, tricky cases
    included: Turkish i's, ß, final sigma, the Kelvin sign and long s, finds
    at cell edges, punctuation finds and NUL in a cell."""
    import random

    from tacompanion.core.redaction import compile_redactions, compile_row_redactions

    pairs = [("Tromsø", "[city]"), ("Anna Berg", "[name]"), ("Istanbul", "[city]"), ("Straße", "[street]"),
             ("ΣΟΦΙΑ", "[name]"), ("kass", "[k]"), ("-Ola-", "[o]")]
    alphabet = ["Tromsø", "TROMSØ", "tromsøs", "Anna Berg", "anna  berg", "İstanbul", "ıstanbul", "ISTANBUL",
                "Straße", "STRASSE", "strasse", "σοφια", "ΣΟΦΙΑΣ", "σοφιας", "\u212aass", "ka\u017fs", "KASS",
                "-ola-", "x-Ola-y", " ", ",", "é", "\x00", "word", "Berg", "Anna"]
    cells_of = compile_redactions(pairs)
    row_of = compile_row_redactions(pairs)
    rng = random.Random(16)
    for _ in range(3000):
        cells = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))) for _ in range(rng.randint(1, 5))]
        assert row_of(cells) == [cells_of(c) for c in cells], cells
    assert row_of(["İstanbul"]) == [cells_of("İstanbul")]

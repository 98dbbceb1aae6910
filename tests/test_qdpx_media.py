"""Recordings through REFI-QDA: `export qdpx --media` writes an AudioSource
with the transcript's turn times as SyncPoints (valid against the schema),
`--media-link` names the file instead, without either the export says what
it left out, and `import` brings the recording and the turn times back."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import xmlschema

from tacompanion.store.study import Study

from .test_media import make_wav

XSD = Path(__file__).parent / "data" / "refi-qda-project-mrt2019.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}


def study_with_recording(cli, db_path, tmp_path) -> Path:
    assert cli("--db", str(db_path), "demo", "--no-open").returncode == 0
    wav = make_wav(tmp_path / "T3.wav", 300)
    got = cli("--db", str(db_path), "media", "add", str(wav), "--participant", "T3",
              "--transcript", "t3-interview.vtt")
    assert got.returncode == 0, got.stderr
    return wav


def turn_times(db_path, name="t3-interview.vtt") -> list[tuple[int, int | None]]:
    with Study.open(db_path) as study:
        return [(r["start_pos"], r["start_ms"]) for r in study.query(
            "SELECT s.start_pos, s.start_ms FROM segments s JOIN transcripts t ON t.id = s.transcript_id "
            "WHERE t.file_name = ? ORDER BY s.position", (name,))]


def test_media_goes_into_the_archive_with_sync_points_and_comes_back(cli, db_path, tmp_path):
    wav = study_with_recording(cli, db_path, tmp_path)
    out = tmp_path / "out.qdpx"
    got = cli("--db", str(db_path), "export", "qdpx", "-o", str(out), "--media")
    assert got.returncode == 0, got.stderr
    assert "1 recording" in got.stderr and "attached recording" not in got.stderr
    with zipfile.ZipFile(out) as z:
        xml = z.read("project.qde").decode()
        assert list(xmlschema.XMLSchema(str(XSD)).iter_errors(xml)) == []
        root = ET.fromstring(xml)
        [audio] = root.findall("q:Sources/q:AudioSource", NS)
        member = "sources/" + audio.get("path").removeprefix("internal://")
        assert z.read(member) == wav.read_bytes()
        [transcript] = audio.findall("q:Transcript", NS)
        text_source = root.find(f"q:Sources/q:TextSource[@plainTextPath='{transcript.get('plainTextPath')}']", NS)
        assert text_source.get("name") == "t3-interview.vtt"
        points = [(int(p.get("position")), int(p.get("timeStamp"))) for p in transcript.findall("q:SyncPoint", NS)]
    original = turn_times(db_path)
    assert points == [(pos, ms) for pos, ms in original if ms is not None] and len(points) == 12
    case = root.find("q:Cases/q:Case[@name='T3']", NS)
    assert audio.get("guid") in [r.get("targetGUID") for r in case.findall("q:SourceRef", NS)]

    new_db = tmp_path / "back.db"
    back = cli("--db", str(new_db), "import", str(out))
    assert back.returncode == 0, back.stderr
    assert "recording back-media/T3.wav attached to T3; 12 turn time(s) from its SyncPoints" in back.stdout
    assert turn_times(new_db) == original
    copied = tmp_path / "back-media" / "T3.wav"
    assert copied.read_bytes() == wav.read_bytes() and stat.S_IMODE(copied.stat().st_mode) == 0o600
    [m] = json.loads(cli("--db", str(new_db), "media", "list", "--json").stdout)
    assert (m["participant"], m["transcript"], m["duration_ms"], m["ok"]) == ("T3", "t3-interview.vtt", 300_000, True)


def test_media_link_names_the_file_and_without_media_the_export_says_so(cli, db_path, tmp_path):
    wav = study_with_recording(cli, db_path, tmp_path)
    plain = tmp_path / "plain.qdpx"
    got = cli("--db", str(db_path), "export", "qdpx", "-o", str(plain))
    assert got.returncode == 0, got.stderr
    assert "not exported: 1 attached recording(s) and their transcripts' turn times: --media" in got.stderr
    with zipfile.ZipFile(plain) as z:
        assert "AudioSource" not in z.read("project.qde").decode()

    linked = tmp_path / "linked.qdpx"
    got = cli("--db", str(db_path), "export", "qdpx", "-o", str(linked), "--media-link")
    assert got.returncode == 0, got.stderr
    with zipfile.ZipFile(linked) as z:
        xml = z.read("project.qde").decode()
        assert list(xmlschema.XMLSchema(str(XSD)).iter_errors(xml)) == []
        assert not [n for n in z.namelist() if n.endswith(".wav")]
    [audio] = ET.fromstring(xml).findall("q:Sources/q:AudioSource", NS)
    assert audio.get("path") == "absolute://" + wav.resolve().as_posix()
    back = cli("--db", str(tmp_path / "linked.db"), "import", str(linked))
    assert back.returncode == 0, back.stderr
    assert "recording T3.wav attached to T3; 12 turn time(s)" in back.stdout
    wav.unlink()
    gone = cli("--db", str(tmp_path / "gone.db"), "import", str(linked))
    assert gone.returncode == 0, gone.stderr
    assert f"recording 'T3.wav': not found at {wav.resolve()}; not attached" in gone.stdout


def test_redaction_reaches_the_recordings_names_and_the_sync_points_follow(cli, db_path, tmp_path):
    study_with_recording(cli, db_path, tmp_path)
    # "gift" is in a timed turn of T3's transcript; the recording's name holds "T3".
    for find, replacement in (("T3", "Participant C"), ("gift", "[present]")):
        assert cli("--db", str(db_path), "redact", "add", find, replacement).returncode == 0
    out = tmp_path / "red.qdpx"
    got = cli("--db", str(db_path), "export", "qdpx", "-o", str(out), "--media")
    assert got.returncode == 0, got.stderr
    with zipfile.ZipFile(out) as z:
        xml = z.read("project.qde").decode()
        assert list(xmlschema.XMLSchema(str(XSD)).iter_errors(xml)) == []
        root = ET.fromstring(xml)
        [audio] = root.findall("q:Sources/q:AudioSource", NS)
        [transcript] = audio.findall("q:Transcript", NS)
        text = z.read("sources/" + transcript.get("plainTextPath").removeprefix("internal://")).decode()
    assert "T3" not in audio.get("name") and "T3" not in transcript.get("name")
    assert "gift" not in text and "[present]" in text
    with Study.open(db_path) as study:
        turns = [r["text"] for r in study.query(
            "SELECT s.text FROM segments s JOIN transcripts t ON t.id = s.transcript_id "
            "WHERE t.file_name = 't3-interview.vtt' AND s.start_ms IS NOT NULL ORDER BY s.position")]
    points = [int(p.get("position")) for p in transcript.findall("q:SyncPoint", NS)]
    assert len(points) == len(turns)
    # Each SyncPoint still stands at the start of its turn in the redacted text.
    for position, turn in zip(points, turns, strict=True):
        assert text[position:position + 12] == turn.replace("gift", "[present]").replace("T3", "Participant C")[:12]


def _damaged_copy(src: Path, dst: Path) -> str:
    """`src` with one byte of its recording flipped (its CRC no longer holds);
    returns the recording's entry name."""
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        [info] = [i for i in z.infolist() if i.filename.endswith(".wav")]
    # the local header's extra field may differ in length from the directory's
    local_extra = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + len(info.filename.encode()) + local_extra
    data[start + info.compress_size // 2] ^= 0xFF
    dst.write_bytes(bytes(data))
    return info.filename


def test_a_recording_beyond_the_limits_or_damaged_is_refused_naming_it_and_the_rest_imports(
        cli, db_path, tmp_path, monkeypatch):
    """Recordings come out of the archive through the bounded reader: an
    entry over the size limit, or one whose bytes are damaged, is not
    attached (the report names the archive and the entry), nothing of it is
    left on disk, and the project itself is imported."""
    from tacompanion.formats import qdpx_media
    from tacompanion.formats.bounded_zip import ZipLimits
    from tacompanion.formats.qdpx_import import import_qdpx

    study_with_recording(cli, db_path, tmp_path)
    out = tmp_path / "out.qdpx"
    assert cli("--db", str(db_path), "export", "qdpx", "-o", str(out), "--media").returncode == 0

    damaged = tmp_path / "damaged.qdpx"
    member = _damaged_copy(out, damaged)
    back = cli("--db", str(tmp_path / "d.db"), "import", str(damaged))
    assert back.returncode == 0, back.stderr
    assert f"recording 'T3.wav': damaged.qdpx: {member} is damaged" in back.stdout
    assert "attached to T3" not in back.stdout and not list((tmp_path / "d-media").iterdir())

    monkeypatch.setattr(qdpx_media, "MEDIA_LIMITS", ZipLimits(max_entries=100, max_entry_bytes=1000,
                                                             max_total_bytes=10_000))
    with Study.open(tmp_path / "big.db") as study:
        summary = import_qdpx(study, out)
        assert study.scalar("SELECT count(*) FROM media") == 0
        assert study.scalar("SELECT count(*) FROM transcripts") == summary.counts["transcripts"] > 0
    [line] = [p for p in summary.problems if p.startswith("recording")]
    assert line.startswith(f"recording 'T3.wav': out.qdpx: {member} inflates to ") and "(at most 1,000)" in line
    assert not list((tmp_path / "big-media").iterdir())

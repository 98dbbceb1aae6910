"""The laptop's own recording of an interview (F9 on the interview screen):
started with the clock, paused and resumed with it, stopped when the
interview ends (or the app closes), then attached to the interview with a
recording offset of zero. What the interview screen shows of it."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from tacompanion.store.study import Study, StudyError
from tacompanion.tui.recorder import Recorder, choose_recorder


def recording_path(study: Study, participant: str, now: datetime) -> Path:
    """Beside the study: `<study>-<participant>-<YYYYMMDD-HHMMSS>.wav`."""
    base = Path(study.path).resolve()
    who = re.sub(r"[^A-Za-z0-9._-]+", "_", participant) or "participant"
    return base.with_name(f"{base.stem}-{who}-{now:%Y%m%d-%H%M%S}.wav")


class RoomRecording:
    def __init__(self, study: Study, interview_id: int, participant: str) -> None:
        self.study = study
        self.interview_id = interview_id
        self.participant = participant
        self.recorder: Recorder | None = None
        self.attached: str | None = None

    def start(self, now: datetime) -> str:
        """Start recording; the file's path. Raises RecorderMissing, OSError, ValueError."""
        choice = choose_recorder(self.study.setting("recorder"))
        path = recording_path(self.study, self.participant, now)
        recorder = Recorder(choice, str(path))
        recorder.start()
        self.recorder = recorder
        return str(path)

    @property
    def active(self) -> bool:
        return self.recorder is not None and not self.recorder.stopped

    def follow_clock(self, paused: bool) -> None:
        if self.recorder is None:
            return
        if paused:
            self.recorder.pause()
        else:
            self.recorder.resume()

    def check(self) -> str | None:
        """The failure, the first time it is seen."""
        return self.recorder.check() if self.recorder is not None else None

    def status_markup(self) -> str:
        r = self.recorder
        if r is None:
            return ""
        if r.failed:
            return " [b reverse $error] RECORDER STOPPED [/]"
        if r.stopped:
            return ""
        seconds = int(r.seconds())
        length = f"{seconds // 60:02d}:{seconds % 60:02d}" if seconds < 3600 else \
            f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        if r.paused:
            return f" [b $warning]❚❚ rec {length}[/]"
        return f" [b $error]● rec {length}[/]"

    def stop_and_attach(self) -> str | None:
        """Stop the recorder and attach its file to the interview (offset 0);
        what to tell the user, or None when there was no recording."""
        r = self.recorder
        if r is None or self.attached is not None:
            return None
        r.stop()
        from tacompanion.formats.media_probe import probe
        from tacompanion.store.interviews import set_recording_offset
        from tacompanion.store.media import add_media

        path = Path(r.file)
        try:
            if not path.exists() or path.stat().st_size == 0:
                return f"{path}: the recorder wrote nothing; there is no recording to attach"
            media = add_media(self.study, path, probe(path), participant=self.participant,
                              interview_id=self.interview_id)
            set_recording_offset(self.study, self.interview_id, 0)
        except (OSError, StudyError) as exc:
            return f"{path}: recorded, but not attached ({exc}); attach it with tacompanion media add"
        self.attached = media.path
        return f"Recording saved and attached: {media.path}"

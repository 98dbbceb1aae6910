"""The study's settings that a researcher may change from the command line,
each checked before it is saved (table `settings`, JSON values)."""

from __future__ import annotations

from typing import Any

from tacompanion.store.study import Study, StudyError

# key -> what it means; the order is the order `tacompanion settings` lists them.
EDITABLE = {
    "interviewer_labels": "speaker labels that mark the interviewer in imported transcripts",
    "default_coder": "the coder's name when --coder is not given (empty: your login name)",
    "analysis_scope": "'all' (interview notes count in the analysis) or 'transcripts'",
    "analysis_coders": "whose codings the analysis counts: names of coders, or 'all' (the default)",
    "consensus_coder": "the coder that agreement resolutions are stored as (default: consensus)",
    "saturation_rule": "the stopping rule for saturation: BASE RUN THRESHOLD (Guest et al. 2020; "
    "default 4 2 0.05)",
    "player": "the command that plays a recording from a moment, e.g. 'mpv --start={start} {file}' "
    "({start} in seconds); empty: mpv, ffplay or vlc, the first found",
    "recorder": "the command that records in the room (F9 in an interview), e.g. "
    "'arecord -f cd {file}'; empty: ffmpeg, arecord or sox's rec, the first found",
}
# Settings that may be set to nothing (their default).
MAY_BE_EMPTY = ("default_coder", "player", "recorder")
READ_ONLY = {
    "prevalence_rule": "the prevalence labels (change them on the thematic map with p; "
    "see them with `tacompanion stats --rule`)",
    "study_uuid": "the study's identity in exports",
}


def all_settings(study: Study) -> list[tuple[str, Any, str, bool]]:
    """(key, value, meaning, editable) for every known setting."""
    out = [(k, study.setting(k), v, True) for k, v in EDITABLE.items()]
    out += [(k, study.setting(k), v, False) for k, v in READ_ONLY.items()]
    return out


def change_setting(study: Study, key: str, values: list[str]) -> Any:
    """Check and save one setting from command-line words; returns the value saved."""
    if key in READ_ONLY:
        raise StudyError(f"{key} is not changed here: {READ_ONLY[key]}")
    if key not in EDITABLE:
        raise StudyError(f"no setting {key!r} (settings: {', '.join(EDITABLE)})")
    if key == "interviewer_labels":
        labels = [" ".join(v.split()) for v in values]
        if not labels or not all(labels):
            raise StudyError("interviewer_labels needs one or more labels, e.g. Interviewer I Q")
        value: Any = list(dict.fromkeys(labels))
    elif key == "default_coder":
        value = " ".join(" ".join(values).split())
    elif key in ("player", "recorder"):
        from tacompanion.core.playback import template_command

        value = " ".join(values).strip()
        if value:
            try:
                template_command(value, "FILE", 0)
            except ValueError as exc:
                raise StudyError(f"{key}: {exc}, e.g. 'mpv --start={{start}} {{file}}'") from None
    elif key == "analysis_coders":
        from tacompanion.store.analysis import set_analysis_coders

        return list(set_analysis_coders(study, values))
    elif key == "consensus_coder":
        value = " ".join(" ".join(values).split())
        if not value:
            raise StudyError("consensus_coder needs a name, e.g. consensus")
    elif key == "saturation_rule":
        from tacompanion.core.saturation import parse_share
        from tacompanion.store.saturation import set_stopping_rule

        try:
            base, run, threshold = int(values[0]), int(values[1]), parse_share(values[2])
        except (IndexError, ValueError):
            raise StudyError("saturation_rule takes BASE RUN THRESHOLD, e.g. 4 2 0.05") from None
        if len(values) != 3:
            raise StudyError("saturation_rule takes BASE RUN THRESHOLD, e.g. 4 2 0.05")
        return set_stopping_rule(study, base, run, threshold).as_setting()
    else:
        from tacompanion.store.analysis import SCOPES, set_analysis_scope

        if len(values) != 1 or values[0] not in SCOPES:
            raise StudyError(f"analysis_scope is one of {', '.join(SCOPES)}")
        set_analysis_scope(study, values[0])
        return values[0]
    study.set_setting(key, value)
    return value

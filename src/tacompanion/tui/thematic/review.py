"""Review a theme (with its subthemes) or a code: its extracts, participant by
participant, keyboard only.

Each extract is one line in the list (drawn lazily: thousands open at once);
the one under the cursor is shown whole below, with its codes, or with the
surrounding turn (`t`). From here: open the transcript at that place and come
back to the same spot, recode, add or remove a code, move a code to another
theme, write the theme's definition and memo; every change is undoable.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from tacompanion.core.prevalence import label
from tacompanion.core.words import clip, plural
from tacompanion.store import codes as code_store
from tacompanion.store import history
from tacompanion.store import themes as theme_store
from tacompanion.store.analysis import participants_in_analysis, prevalence_rule
from tacompanion.store.participants import participant_pseudonym
from tacompanion.store.study import StudyError
from tacompanion.store.thematic import (
    Extract,
    ExtractCode,
    ExtractGroup,
    ExtractList,
    extract_context,
    extract_location,
    extract_where,
    recode,
    review_codes,
    review_extracts,
    theme_paths,
)
from tacompanion.tui.dialogs.picker import FuzzyPicker, Picked
from tacompanion.tui.playback import PlaysRecording, playback_bindings
from tacompanion.tui.study_view import StudyViewScreen
from tacompanion.tui.thematic.actions import define_theme, open_theme_memo
from tacompanion.tui.widgets.key_footer import KeyFooter
from tacompanion.tui.widgets.rows_view import RowsView


class ReviewRows(Sequence[tuple[str, int]]):
    """The list's rows: each participant's heading, then their extracts, as
    ("head", index of their first extract) or ("extract", index), worked out
    from the groups rather than listed (a review may hold 30,000 extracts)."""

    def __init__(self, groups: list[ExtractGroup]) -> None:
        self.groups = groups
        self.heads = [g.first + n for n, g in enumerate(groups)]  # the headings' rows
        self.head_set = set(self.heads)
        self.count = sum(g.size for g in groups) + len(groups)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(self.count))]
        if row < 0:
            row += self.count
        if not 0 <= row < self.count:
            raise IndexError(row)
        n = bisect.bisect_right(self.heads, row) - 1
        return ("head", self.groups[n].first) if self.heads[n] == row else ("extract", row - n - 1)

    def group_at(self, row: int) -> ExtractGroup:
        return self.groups[bisect.bisect_right(self.heads, row) - 1]

    def row_of(self, index: int) -> int:
        """The row showing extract `index`."""
        n = bisect.bisect_right([g.first for g in self.groups], index) - 1
        return index + n + 1


class ReviewScreen(PlaysRecording, StudyViewScreen):
    CSS_PATH = "review.tcss"
    HELP_TITLE = "review"
    BINDINGS = [
        Binding("t", "context", "Turn", id="review.context"),
        Binding("o", "open", "Open transcript", id="review.open"),
        Binding("n", "participant(1)", "Next participant", id="review.next_participant", show=False),
        Binding("N", "participant(-1)", "Previous participant", id="review.prev_participant", show=False),
        Binding("c", "add_code", "Add code", id="review.add_code", show=False),
        Binding("R", "recode", "Recode", id="review.recode"),
        Binding("x", "remove_code", "Remove code", id="review.remove_code"),
        Binding("m", "move_code", "Move code", id="review.move_code"),
        Binding("s", "star", "Star quote", id="review.star"),
        Binding("y", "copy_quote", "Copy quote", id="review.copy", show=False),
        Binding("e", "define", "Define", id="review.define"),
        Binding("E", "codebook", "Codebook entry", id="review.codebook", show=False),
        Binding("X", "example", "Make it the example", id="review.example", show=False),
        Binding("w", "memo", "Theme memo", id="review.memo", show=False),
        Binding("u", "undo", "Undo", id="review.undo"),
        Binding("ctrl+r", "redo", "Redo", id="review.redo", show=False),
        Binding("escape,q", "back", "Back", id="review.back"),
        *playback_bindings("review"),
    ]


    def __init__(
        self, target: str, target_id: int, participant_id: int | None = None, meeting: int | None = None
    ) -> None:
        super().__init__()
        self.target = target  # "theme" or "code"
        self.target_id = target_id
        self.participant_id = participant_id  # only this participant's extracts
        self.meeting = meeting  # only the extracts where this code meets them
        # read lazily: where every extract is, each one's text and codes when drawn
        self.extracts: ExtractList | list[Extract] = []
        self.rows: ReviewRows = ReviewRows([])  # ("head", first extract index) or ("extract", index)
        self.show_context = False
        self.code_ids: set[int] = set()
        self.target_name = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-title")
        yield RowsView(id="review-list")
        with VerticalScroll(id="review-detail-box"):
            yield Static(id="review-detail")
        yield Static(id="review-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Review"
        self.reload()
        self.query_one(RowsView).focus()
        self.status("t turn · o open · s star quote · y copy quote · R recode · x remove · ? help")

    def redraw(self) -> None:
        self.reload()

    @property
    def view(self) -> RowsView:
        return self.query_one(RowsView)

    def status(self, text: str | Text) -> None:
        self.query_one("#review-status", Static).update(text)

    # -- loading -------------------------------------------------------------------

    def reload(self, keep: tuple | None = None) -> None:
        """Read the extracts again; the cursor stays on the same extract (or at
        the same place when it has left the review)."""
        study = self.app.study
        current = self.current()
        keep = keep or (current.key if current else None)
        old_cursor = self.view.cursor
        try:
            self._load_target()
        except StudyError:
            # the theme or code went (merged, dissolved, or its creation undone)
            self.mark_drawn()
            self.view.set_rows(0, lambda r: Text())
            self.query_one("#review-title", Static).update(Text(
                f"This {self.target} no longer exists (u brings it back if it went by undo).", style="bold"))
            self.query_one("#review-detail", Static).update("")
            self.extracts, self.rows = [], ReviewRows([])
            return
        theme = self.target_id if self.target == "theme" else None
        self.extracts = review_extracts(study, sorted(self.code_ids), self.participant_id, self.meeting, theme)
        cursor = old_cursor
        try:
            index = self.extracts.find(keep) if keep is not None else None
        except StudyError:  # the kept counts were out of step (now marked): read the long way
            self.extracts = review_extracts(study, sorted(self.code_ids), self.participant_id, self.meeting)
            index = self.extracts.find(keep)
        self.mark_drawn()  # after reading: see ThemeMapScreen.reload
        self.rows = rows = ReviewRows(self.extracts.groups)
        self.group_sizes: dict[int, int] = {g.participant_id: g.size for g in self.extracts.groups}
        if index is not None:
            cursor = rows.row_of(index)
        self.view.set_rows(len(rows), self.render_row, cursor=cursor, skip=rows.head_set.__contains__)
        self.show_title()
        self.show_detail()

    def _load_target(self) -> None:
        study = self.app.study
        if self.target == "theme":
            row = theme_store.theme(study, self.target_id)
            self.target_name = theme_paths(theme_store.list_themes(study)).get(self.target_id, row.name)
            self.theme_row = row
        else:
            self.target_name = code_store.code_name(study, self.target_id)
            self.theme_row = None
        self.code_ids = set(review_codes(study, self.target, self.target_id))

    def show_title(self) -> None:
        study = self.app.study
        total = participants_in_analysis(study)
        people = len(self.group_sizes)
        word = label(people, total, prevalence_rule(study)) or "no participants"
        what = "theme" if self.target == "theme" else "code"
        status = f" [{self.theme_row.status}]" if self.theme_row else ""
        if self.participant_id is not None or self.meeting is not None:
            only = []
            if self.participant_id is not None:
                who = (self.rows.groups[0].participant if self.rows.groups
                       else participant_pseudonym(study, self.participant_id))
                only.append(f"of {who}")
            if self.meeting is not None:
                try:
                    only.append(f"where '{code_store.code_name(study, self.meeting)}' meets it")
                except StudyError:
                    only.append("where another code meets it")
            head = Text.assemble(
                (f"{what} ", "dim"), (self.target_name, "bold"), status,
                f" · {plural(len(self.extracts), 'extract')} ", (" ".join(only) + " only", "italic"))
        else:
            head = Text.assemble(
                (f"{what} ", "dim"), (self.target_name, "bold"), status,
                f" · {plural(len(self.extracts), 'extract')} · {people} of {total} participants ",
                (f"({word})", "bold"))
        if self.theme_row is not None:
            definition = self.theme_row.definition or "no definition yet: e writes it"
            head.append("\n")
            head.append(definition, style="italic dim" if not self.theme_row.definition else "italic")
        self.query_one("#review-title", Static).update(head)

    # -- drawing -------------------------------------------------------------------

    def render_row(self, r: int) -> Text:
        kind, i = self.rows[r]
        if kind == "head":
            g = self.rows.group_at(r)
            return Text(f"{g.participant} · {g.size} extract{'s' if g.size != 1 else ''}", style="bold")
        try:
            e = self.extracts[i]
        except StudyError as error:
            # the counts kept in the file were out of step with the codings
            # (now marked to be counted again): read again, after this frame
            self.call_later(self.reload)
            return Text(str(error), style="italic")
        width = self.view.scrollable_content_region.width or 80
        codes_w = max(12, width // 3)
        room = max(10, width - 2 - 3 - codes_w)
        text = " ".join(e.text.split())
        text = clip(text, room)
        codes = ", ".join(c.name for c in e.codes)
        codes = clip(codes, codes_w)
        star = ("\u2605 ", "bold yellow") if self.is_starred(e) else "  "
        return Text.assemble(star, f"{text:<{room}}", " · ", (codes, "dim"))

    def starrable(self, e: Extract) -> list[ExtractCode]:
        """The extract's codings that belong to what is reviewed: starring marks them."""
        return [c for c in e.codes if c.code_id in self.code_ids] or list(e.codes)

    def is_starred(self, e: Extract) -> bool:
        return any(c.starred for c in self.starrable(e))

    def on_rows_view_highlighted(self, event: RowsView.Highlighted) -> None:
        self.show_detail()

    def on_rows_view_selected(self, event: RowsView.Selected) -> None:
        self.action_open()

    def playable_item(self) -> tuple[str, int] | None:
        """The extract under the cursor: its turn, or its note."""
        from tacompanion.store.media import segment_at

        e = self.current()
        if e is None:
            return None
        if e.kind == "notes":
            return ("note", e.doc_id)
        segment_id = segment_at(self.app.study, e.doc_id, e.start)
        return ("extract", segment_id) if segment_id is not None else None

    def current(self) -> Extract | None:
        if not self.rows or self.view.count == 0:
            return None
        kind, i = self.rows[min(self.view.cursor, len(self.rows) - 1)]
        if kind != "extract":
            return None
        try:
            return self.extracts[i]
        except StudyError:  # out of step with the kept counts: see render_row
            self.call_later(self.reload)
            return None

    def show_detail(self) -> None:
        detail = self.query_one("#review-detail", Static)
        e = self.current()
        if e is None:
            detail.update(Text(
                "No extracts: nothing in the data is coded with "
                f"{'this theme' if self.target == 'theme' else 'this code'}"
                " yet (pilots are left out).", style="dim"))
            return
        study = self.app.study
        out = Text()
        out.append(extract_where(study, e), style="bold")
        out.append("   ")
        for n, c in enumerate(e.codes):
            if n:
                out.append(", ", style="dim")
            out.append(c.name, style="bold green" if c.code_id in self.code_ids else "green")
        if self.is_starred(e):
            out.append("   \u2605 starred quote", style="bold yellow")
        out.append("\n")
        if self.show_context:
            for turn in extract_context(study, e):
                speaker = turn.speaker or ("note" if e.kind == "notes" else "")
                out.append(f"{speaker}: " if speaker else "", style="dim bold" if turn.is_interviewer else "bold")
                a = max(0, e.start - turn.start)
                b = max(a, min(len(turn.text), e.end - turn.start))
                style = "dim" if turn.is_interviewer else ""
                out.append(turn.text[:a], style=style)
                out.append(turn.text[a:b], style="reverse")
                out.append(turn.text[b:] + "\n", style=style)
        else:
            out.append(e.text)
        out.append_text(self.codebook_text(e))
        detail.update(out)
        self.query_one("#review-detail-box", VerticalScroll).scroll_home(animate=False)

    def codebook_text(self, e: Extract) -> Text:
        """The reviewed code's or theme's codebook entry, under the extract, to
        judge the extract against it."""
        from tacompanion.core.quotes import quote_text
        from tacompanion.store.codebook import criteria, example

        study = self.app.study
        try:
            c = criteria(study, self.target, self.target_id)
            chosen = example(study, self.target, self.target_id)
        except StudyError:
            return Text()
        out = Text("\n\n")
        out.append(f"Codebook · {c.name}", style="bold")
        out.append("  (E edits · X makes this extract the example)\n", style="dim")
        for title, text in (("Definition", c.definition), ("Include", c.include), ("Exclude", c.exclude)):
            out.append(f"{title}: ", style="bold")
            out.append((text or "not written yet") + "\n", style="" if text else "dim")
        out.append("Example: ", style="bold")
        if chosen is None:
            out.append("none chosen yet", style="dim")
        else:
            this = any(k.coding_id == chosen.coding_id for k in e.codes)
            out.append(quote_text(chosen.text, chosen.participant, chosen.kind))
            if this:
                out.append("  (this extract)", style="bold green")
        return out

    # -- actions ---------------------------------------------------------------------

    def action_codebook(self) -> None:
        def done(message: str | None) -> None:
            if message:
                self.after(message)

        self.app.open_codebook_entry(self.target, self.target_id, done)

    def action_example(self) -> None:
        from tacompanion.store.codebook import set_example

        e = self.current()
        if e is None:
            return
        coding = next((c for c in e.codes if c.code_id in self.code_ids), None)
        if coding is None:
            return
        try:
            set_example(self.app.study, self.target, self.target_id, coding.coding_id)
        except StudyError as exc:
            self.status(str(exc))
            return
        self.after(f"This extract is now the example of '{self.target_name}'.")

    def action_context(self) -> None:
        self.show_context = not self.show_context
        self.show_detail()
        self.status("Showing the surrounding turn (the extract highlighted)." if self.show_context
                    else "Showing the extract.")

    def action_star(self) -> None:
        """Star the extract as a quote for the report, or unstar it (undoable)."""
        e = self.current()
        if e is None:
            self.status("No extract here to star.")
            return
        starred = not self.is_starred(e)
        try:
            code_store.set_starred(self.app.study, [c.coding_id for c in self.starrable(e)], starred)
        except StudyError as exc:
            self.status(Text(str(exc), style="bold red"))
            return
        self.after("Starred as a quote for the report (export report, export quotes)." if starred
                   else "Unstarred: the report picks its quotes without it.")

    def action_copy_quote(self) -> None:
        from tacompanion.tui.clipboard import copied_message, copy_quote

        e = self.current()
        if e is None:
            self.status("No extract here to copy.")
            return
        quote, where = copy_quote(self.app, e.text, e.participant, e.kind)
        self.status(Text(copied_message(quote, where)))

    def action_participant(self, direction: int) -> None:
        heads = self.rows.heads
        here = self.view.cursor
        if direction > 0:
            nxt = next((h for h in heads if h > here), None)
        else:
            mine = max((h for h in heads if h < here), default=None)
            nxt = max((h for h in heads if mine is not None and h < mine), default=None)
        if nxt is None:
            self.status("No more participants that way.")
            return
        self.view.move_to(nxt + 1)

    def action_open(self) -> None:
        e = self.current()
        if e is None:
            return
        kind, key, index = extract_location(self.app.study, e)
        self.app.open_coding(kind, key, cursor=index)

    def pick_extract_code(self, title: str, then, prefer_review: bool = True) -> None:
        """Ask which of the extract's codes (skipped when there is one)."""
        e = self.current()
        if e is None:
            return
        codes = list(e.codes)
        if prefer_review:
            mine = [c for c in codes if c.code_id in self.code_ids]
            codes = mine or codes
        if len(codes) == 1:
            then(codes[0])
            return
        by_id = {c.coding_id: c for c in codes}

        def picked(result: Picked | None) -> None:
            if result is not None and result.item_id is not None:
                then(by_id[result.item_id])

        self.app.push_screen(FuzzyPicker(title, [(c.coding_id, c.name) for c in codes]), picked)

    def pick_code(self, title: str, then, exclude: set[int] = frozenset()) -> None:
        """A code (existing, or a new one by name) from the fuzzy picker."""
        study = self.app.study
        items = [(s.id, s.name) for s in code_store.list_codes(study) if s.id not in exclude]

        def picked(result: Picked | None) -> None:
            if result is None:
                return
            try:
                if result.new_name:
                    code_id = code_store.create_code(study, result.new_name)
                else:
                    code_id = result.item_id
            except StudyError as exc:
                self.status(Text(str(exc), style="bold red"))
                return
            then(code_id)

        self.app.push_screen(FuzzyPicker(title, items, allow_create=True, create_label="Create code"), picked)

    def after(self, message: str) -> None:
        self.reload()
        self.status(message + " · u undoes")

    def action_add_code(self) -> None:
        e = self.current()
        if e is None:
            return
        from tacompanion.core.document import DocRef
        from tacompanion.core.spans import Span

        def chosen(code_id: int) -> None:
            ref = DocRef(transcript_id=e.doc_id) if e.kind == "transcript" else DocRef(note_id=e.doc_id)
            made = code_store.apply_code(self.app.study, code_id, ref, Span(e.start, e.end), self.app.coder)
            name = code_store.code_name(self.app.study, code_id)
            self.after(f"Added '{name}' to this extract." if made else f"'{name}' is already on it.")

        self.pick_code("Add a code to this extract:", chosen, exclude={c.code_id for c in e.codes})

    def action_recode(self) -> None:
        e = self.current()
        if e is None:
            return

        def which(old: ExtractCode) -> None:
            def chosen(code_id: int) -> None:
                try:
                    recode(self.app.study, old.coding_id, code_id, self.app.coder)
                except StudyError as exc:
                    self.status(Text(str(exc), style="bold red"))
                    return
                self.after(f"Recoded '{old.name}' as '{code_store.code_name(self.app.study, code_id)}'.")

            self.pick_code(f"Recode '{old.name}' on this extract as:", chosen, exclude={old.code_id})

        self.pick_extract_code("Recode which code?", which)

    def action_remove_code(self) -> None:
        def remove(code: ExtractCode) -> None:
            code_store.remove_coding(self.app.study, code.coding_id)
            self.after(f"Removed '{code.name}' from this extract.")

        self.pick_extract_code("Remove which code from this extract?", remove, prefer_review=False)

    def action_move_code(self) -> None:
        study = self.app.study

        def move(code: ExtractCode) -> None:
            themes = theme_store.list_themes(study)
            paths = theme_paths(themes)
            items = [(0, "(unsorted)")] + [(t.id, paths[t.id]) for t in themes]

            def picked(result: Picked | None) -> None:
                if result is None:
                    return
                try:
                    target = theme_store.create_theme(study, result.new_name) if result.new_name \
                        else (result.item_id or None)
                    theme_store.move_code(study, code.code_id, target)
                except StudyError as exc:
                    self.status(Text(str(exc), style="bold red"))
                    return
                where = theme_paths(theme_store.list_themes(study)).get(target, "") if target else "unsorted"
                self.after(f"Moved the code '{code.name}' (all its extracts) to {where}.")

            self.app.push_screen(FuzzyPicker(f"Move the code '{code.name}' to:", items,
                                             allow_create=True, create_label="New theme"), picked)

        self.pick_extract_code("Move which code?", move)

    def _theme_id(self) -> int | None:
        """The theme reviewed, or the theme of the code reviewed (None when unsorted)."""
        if self.target == "theme":
            return self.target_id
        study = self.app.study
        for summary in code_store.list_codes(study, only=self.target_id):
            if summary.theme:
                return theme_store.find_theme(study, summary.theme)
        return None

    def action_define(self) -> None:
        theme_id = self._theme_id()
        if theme_id is None:
            self.status("This code is in no theme: move it to one first (m).")
            return
        row = theme_store.theme(self.app.study, theme_id)
        define_theme(self, theme_id, row.name, row.definition,
                     lambda: self.after(f"Defined '{row.name}'."))

    def action_memo(self) -> None:
        theme_id = self._theme_id()
        if theme_id is None:
            self.status("This code is in no theme: move it to one first (m).")
            return
        open_theme_memo(self, theme_id, theme_store.theme_path(self.app.study, theme_id))

    def action_undo(self) -> None:
        try:
            done = history.undo(self.app.study)
        except StudyError as exc:  # another coder changed those rows since
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.reload()
        self.status(f"Undid: {done.label}." if done else "Nothing to undo.")

    def action_redo(self) -> None:
        try:
            done = history.redo(self.app.study)
        except StudyError as exc:  # another coder changed those rows since
            self.status(f"[b red]{escape(str(exc))}[/]")
            return
        self.reload()
        self.status(f"Redid: {done.label}." if done else "Nothing to redo.")

    def action_back(self) -> None:
        self.app.pop_screen()

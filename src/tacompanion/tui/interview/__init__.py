"""In the room: the interview screen (guide, clock, coverage, notes), starting and
resuming an interview, and its dialogs."""

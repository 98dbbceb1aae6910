"""Dialogs any screen may open: prompt, confirm, memo editor, fuzzy picker, help,
backup, and marking a guide question."""

"""Familiarisation: the transcripts list, importing transcripts, reading a transcript beside its notes, and search."""

"""Coding: a document turn by turn with the code panel, and the list of documents to code."""

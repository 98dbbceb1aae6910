"""Themes: the thematic map, review of a theme's extracts, the participant x theme
matrix, co-occurrence, the prevalence rule and splitting a theme."""

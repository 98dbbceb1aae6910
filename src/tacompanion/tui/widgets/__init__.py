"""Widgets that more than one moment uses. They draw what they are given and post
messages; they never query the study."""

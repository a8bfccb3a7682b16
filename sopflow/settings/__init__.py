"""Settings the county edits (package data): what the daily report counts, how building charts
colour a door. Read with `sopflow.engine.settings`; a county may pass its own copy of a file."""

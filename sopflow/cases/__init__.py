"""Passive case records: Case, Event, field values, input rules, privacy masking."""

"""The case store: tables, the Store class, prepared statements."""

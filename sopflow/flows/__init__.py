"""The built-in flow files and the JSON Schema of the flow format (package data)."""

"""The flow language: YAML source with marks, schema, builder, guards, checks, paths, loader, catalog."""

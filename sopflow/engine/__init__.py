"""The flow engine: the flow model, loading and checking flow files, and (later) cases."""

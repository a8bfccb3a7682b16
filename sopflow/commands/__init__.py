"""The click commands, one module per group; sopflow.cli registers them."""

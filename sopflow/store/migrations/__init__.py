"""Alembic migrations of the store: `env.py` runs them on the connection sopflow hands over."""

# sopflow: `make demo` runs the main job, `make test` the checks. Both set up what is missing first.
PY := .venv/bin/python
OUT ?= out

.PHONY: setup demo test lint types unit bench clean

.venv/.installed: pyproject.toml scripts/setup
	scripts/setup

setup: .venv/.installed

demo: setup
	mkdir -p $(OUT)
	$(PY) -m sopflow flows list
	$(PY) -m sopflow flows validate sopflow/flows/*.yaml
	$(PY) -m sopflow flows show key_person_control --lang zh
	$(PY) -m sopflow flows paths key_person_control --json > $(OUT)/key_person_control.paths.json
	$(PY) -m sopflow flows paths three_check --lang zh | tail -n 1

lint: setup
	.venv/bin/ruff check sopflow tests
	.venv/bin/ruff format --check sopflow tests

types: setup
	.venv/bin/mypy

unit: setup
	.venv/bin/pytest -q

test: lint types unit

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache

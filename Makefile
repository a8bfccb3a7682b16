# sopflow: `make demo` runs the main job, `make test` the checks. Both set up what is missing first.
PY := .venv/bin/python
OUT ?= out

.PHONY: setup demo test lint types unit bench bench-county clean pictures

.venv/.installed: pyproject.toml scripts/setup
	scripts/setup

setup: .venv/.installed

demo: setup
	mkdir -p $(OUT)
	$(PY) -m sopflow flows list
	$(PY) -m sopflow flows validate sopflow/flows/*.yaml
	$(PY) -m sopflow flows paths key_person_control --cover --lang zh > $(OUT)/key_person_control.drills.txt
	$(PY) -m sopflow render --all -f pdf -f svg -o $(OUT)/charts --lang zh --org 前郭县疫情防控指挥部
	$(PY) -m sopflow render key_person_control -f pdf -o $(OUT)/charts --lang en
	OUT=$(OUT) scripts/demo-case
	SOPFLOW_DB=sqlite:///$(OUT)/demo.db $(PY) -m sopflow case chart QG-0001 -o $(OUT)/QG-0001.pdf --now "2020-02-15 08:00" --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/demo.db $(PY) -m sopflow case sheet QG-0001 -o $(OUT)/QG-0001.html --now "2020-02-15 08:00" --lang zh
	$(PY) -m sopflow handbook key_person_control -o $(OUT)/key_person_control.html --org 前郭县疫情防控指挥部 --lang zh
	rm -f $(OUT)/county.db  # the sample county (examples/county, made by scripts/make_county.py)
	SOPFLOW_DB=sqlite:///$(OUT)/county.db $(PY) -m sopflow places import examples/county/places.xlsx --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db $(PY) -m sopflow people import examples/county/people.xlsx --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db $(PY) -m sopflow places list --lang zh
	$(PY) scripts/demo_day.py $(OUT)/county.db  # the county's day: cases as of 2020-02-05 16:30
	SOPFLOW_DB=sqlite:///$(OUT)/county.db SOPFLOW_NOW="2020-02-05 16:30" $(PY) -m sopflow report daily --date 2020-02-05 --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db SOPFLOW_NOW="2020-02-05 16:30" $(PY) -m sopflow report daily --date 2020-02-05 --by village -o $(OUT)/report-2020-02-05.pdf --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db SOPFLOW_NOW="2020-02-05 16:30" $(PY) -m sopflow report daily --date 2020-02-05 --by village -o $(OUT)/report-2020-02-05.xlsx --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db SOPFLOW_NOW="2020-02-05 16:30" $(PY) -m sopflow worklist --worker 王芳 --date 2020-02-05 -o $(OUT)/worklist-王芳.pdf --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db SOPFLOW_NOW="2020-02-05 16:30" $(PY) -m sopflow worklist --worker 王芳 --date 2020-02-05 -o $(OUT)/checks-王芳.xlsx --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db SOPFLOW_NOW="2020-02-05 16:30" $(PY) -m sopflow building chart 幸福小区 --date 2020-02-05 -o $(OUT)/building-幸福小区.pdf --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db SOPFLOW_NOW="2020-02-05 16:30" $(PY) -m sopflow render key_person_control --counts -f pdf -o $(OUT)/counts --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db $(PY) -m sopflow import 重点人员管控 examples/county/leads.csv --role 网格员 --actor 王芳 --lang zh
	SOPFLOW_DB=sqlite:///$(OUT)/county.db $(PY) -m sopflow export -o $(OUT)/台账.xlsx --lang zh

# The README's pictures (docs/images/), drawn by sopflow itself.
pictures: setup
	scripts/make-pictures

lint: setup
	.venv/bin/ruff check sopflow tests bench
	.venv/bin/ruff format --check sopflow tests bench
	.venv/bin/lint-imports

types: setup
	.venv/bin/mypy

unit: setup
	.venv/bin/pytest -q -n auto

test: lint types unit

# Not part of `make test`. bench_scale.py first (the table of issue 15, each figure beside its
# yardstick; sizes from BENCH_CASES etc., small by default), then 100,000 cases in memory and 2,000
# on SQLite (slow; scale down with BENCH_ARGS="--cases 10000 --sqlite-cases 500"). See bench/README.md.
bench: setup
	.venv/bin/pip install -q -e '.[dev,bench]'
	$(PY) bench/bench_scale.py
	$(PY) bench/bench_cases.py $(BENCH_ARGS)
	$(PY) bench/bench_render.py

# Optional, not part of `make bench`: the simulated county of issue 15 at full size (22 towns, 233
# villages, 600,000 people, 9,264 key persons, 30 days), its daily report checked against the
# simulation's own counts (exit 1 on any difference). Hours on a 2-core machine: see bench/README.md.
# Smaller: make bench-county COUNTY_ARGS="--people 20000 --key-persons 300". It ends with the
# report timed again beside raw GROUP BY queries of its counts (bench/bench_report.py, which also
# runs on any store: --db URL --date YYYY-MM-DD).
COUNTY_ARGS ?= --people 600000 --key-persons 9264 --days 30
bench-county: setup
	.venv/bin/pip install -q -e '.[dev,bench]'
	mkdir -p $(OUT)/county
	$(PY) bench/county.py $(COUNTY_ARGS) --dir $(OUT)/county

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache

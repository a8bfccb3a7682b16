"""Taking in the files staff keep: places, people and cases from CSV or XLSX, every row checked
before anything is written, the same file imported twice changing nothing."""

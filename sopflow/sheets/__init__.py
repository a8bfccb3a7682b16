"""Spreadsheets as staff keep them: CSV (UTF-8, with or without BOM, or GB18030 from Excel and
WPS) and XLSX read row by row; XLSX and CSV written so that no text becomes a formula."""

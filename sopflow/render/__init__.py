"""Printing: the chart model, DOT and Mermaid text, fitting to A4/A3 pages, the external programs
that draw them, and the HTML handbook and case sheet — from typed data, never from a store."""

"""Charts and handbooks (to come: see the printable-flowcharts issue)."""

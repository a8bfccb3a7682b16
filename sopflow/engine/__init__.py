"""Stepping cases: the pure Stepper, the Engine that saves each change in one transaction (with
its children, signals and hooks), what is due, verify, and cases as plain views."""

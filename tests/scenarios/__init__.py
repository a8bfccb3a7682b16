"""Scenario tests for issue 11 (safe hand-offs): one file per numbered defect of the issue.

Written against the public API (`sopflow`) and the CLI only, so that they survive the package's
re-layout. Each scenario reproduces the defect as the issue tells it and asserts the safe
behaviour of docs/design/handoffs.md; while the engine and flows lack it, the test is an
xfail(strict=True) naming the issue point.
"""

"""The ranges of numeric options and figures (SPEC §2.2, §3.6, §3.10), in one place.

A value outside its range is a usage error (exit 2) for a flag or setting, bad input (exit 3)
for a figure read from a file, never an overflow deep in a computation (exit 1).
"""

from __future__ import annotations

from decimal import Decimal

# --target and [province_targets]: a coverage percentage, 0 < target <= 100.
TARGET_PCT_MAX = Decimal(100)
# --sla-hours and sla_hours: 0 < hours <= this (a little over 11 years).
SLA_HOURS_MAX = 100_000
# --population figures: 1 <= population <= this (ten times the world's population).
POPULATION_MAX = 9_999_999_999

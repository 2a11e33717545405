"""Checking data: well-formedness (`check`) and the plausibility rules (`lint`, one module per theme in `rules/`)."""

"""Every plausibility rule, registered by id in `RULES` when this package is imported."""

from . import codes, indicators, money, text
from .base import RULES, SEVERITIES, SEVERITY_NAMES, Issue, Rule, Severity

__all__ = ["RULES", "SEVERITIES", "SEVERITY_NAMES", "Issue", "Rule", "Severity", "codes", "indicators", "money", "text"]

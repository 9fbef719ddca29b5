"""Extraction: from an entry's text to evidence about tracked items (scope, patterns, negation, hedges, dates)."""

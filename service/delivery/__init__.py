"""Delivery: sending alerts through apprise, redacting targets, and the retry schedule."""

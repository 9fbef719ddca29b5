"""Hiding secrets: the one place that knows what a secret looks like and how to mask it.

A leaf package: it imports nothing else of Vigil, so every stage (sources, delivery, web, cli, the
daemon's log output) can use it without pulling in another stage.
"""

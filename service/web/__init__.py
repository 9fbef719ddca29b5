"""Vigil's HTTP service: health, metrics, JSON API, Atom feed and the dashboard, served from inside the daemon."""

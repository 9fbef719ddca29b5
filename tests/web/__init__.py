"""Tests of the HTTP service: probes, metrics, JSON API, Atom feed, subscribing over HTTP, deploy-style start."""

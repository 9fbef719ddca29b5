"""The offline demo: a bundled scenario served as local feeds, run through the real pipeline."""

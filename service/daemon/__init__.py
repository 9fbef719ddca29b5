"""The daemon's wiring: the pipeline's stages put together, scheduled, and stopped cleanly."""

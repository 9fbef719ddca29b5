"""The domain's events: what each fact is called, its current schema version, and upcasters for old ones."""

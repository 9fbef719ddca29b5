"""History: what the log can answer that a projection cannot (time travel, replay, backups, backtests)."""

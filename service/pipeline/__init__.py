"""The composition root: the data's path put together, below the daemon, history and the CLI.

It knows every projection, opens the pipeline's store, records the rules, runs the stages over one
store (``wiring``) and runs rule test files (``rule_tests``); ``daemon/`` only schedules and signals.
"""

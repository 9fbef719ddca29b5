"""The `vigil` group knows its commands without importing them; the table it reads must match the modules."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click

import service.cli
from service.cli.main import COMMAND_MODULES, cli


def test_every_command_module_is_in_the_table_with_exactly_its_commands() -> None:
    modules = {info.name for info in pkgutil.iter_modules(service.cli.__path__) if info.name.endswith("_commands")}
    assert set(COMMAND_MODULES) == modules
    for module, names in COMMAND_MODULES.items():
        commands = importlib.import_module(f"service.cli.{module}").commands
        assert tuple(command.name for command in commands) == names, module


def test_every_listed_command_resolves_and_an_unknown_one_is_refused() -> None:
    context = click.Context(cli)
    for name in cli.list_commands(context):
        assert cli.get_command(context, name) is not None, name
    assert cli.get_command(context, "no-such-command") is None


def test_a_command_loads_only_its_own_module() -> None:
    # `vigil silence list` must not pay for the daemon, the web server or the language stack.
    code = (
        "import sys, click; from service.cli.main import cli; "
        "cli.get_command(click.Context(cli), 'silence'); "
        "print(' '.join(sorted(m for m in ('service.cli.daemon_commands', 'service.web.server', 'simplemma', "
        "'tokenize_uk', 'psycopg') if m in sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == ""

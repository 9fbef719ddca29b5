"""``python -m service.cli`` runs the ``vigil`` command."""

from service.cli.main import main

main()

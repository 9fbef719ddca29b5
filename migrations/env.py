"""Alembic environment: the engine comes from Vigil's code (service.store.migrate), never from an ini file."""

from alembic import context

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # run by the alembic CLI directly: take the URL from -x db=... or VIGIL_DB
    import os

    from service.store.database import open_database

    url = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("VIGIL_DB", "vigil.db")
    engine = open_database(url).engine

with engine.connect() as connection:
    context.configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    try:
        # this works with Flask-SQLAlchemy<3 and Alchemical
        return current_app.extensions['migrate'].db.engine
    except (TypeError, AttributeError):
        # this works with Flask-SQLAlchemy>=3
        return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    Autogenerate looks at core's tables only, or, when ``haat plugin migration`` set
    ``config.attributes["haat_plugin"]``, at that plugin's tables only. Before anything
    runs, revisions recorded in the database that no installed code provides (a plugin
    that was uninstalled) stop the command with a clear explanation.
    """
    from core.pluginhost.migrations import (
        PLUGIN_ATTRIBUTE,
        check_known_revisions,
        include_object_for,
    )
    from core.search import include_object

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    # A copy: Flask-Migrate keeps one dict per app, and each run chooses its own tables.
    conf_args = dict(current_app.extensions['migrate'].configure_args)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives
    # The embedded search engine's database-specific tables (FTS5, pg_trgm indexes)
    # are created by its migration, not described by the models.
    conf_args["include_object"] = include_object_for(
        config.attributes.get(PLUGIN_ATTRIBUTE),
        conf_args.get("include_object") or include_object)

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # On SQLite Alembic changes a table by rebuilding it (create a copy, move
            # the rows, DROP the old one). The app's connections enforce foreign keys,
            # and that DROP would then delete every row that references the table
            # (ON DELETE CASCADE): every store's data, for a change to `tenants`. The
            # pragma only works outside a transaction, hence the commit.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                **conf_args
            )
            before = context.get_context().get_current_heads()
            check_known_revisions(before, context.script)

            with context.begin_transaction():
                context.run_migrations()
            if sqlite and context.get_context().get_current_heads() != before:
                check_foreign_keys(connection)
        finally:
            if sqlite:
                connection.rollback()  # whatever a failure left open
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def check_foreign_keys(connection):
    """Fail loudly when the migrations left rows whose foreign key points at nothing
    (SQLite checked none of them while they ran)."""
    from alembic.util import CommandError

    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    connection.commit()
    if problems:
        shown = "; ".join(f"{table} row {rowid} -> {parent}"
                          for table, rowid, parent, _fk in problems[:20])
        more = f" and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise CommandError(
            f"After the migrations SQLite reports {len(problems)} row(s) whose foreign "
            f"key points at a row that does not exist: {shown}{more}. The migrations "
            f"were applied; fix or remove those rows (or restore the backup taken "
            f"before upgrading).")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

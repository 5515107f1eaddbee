"""`callcoach init`: create or migrate the database and install the bundled rubric templates."""

from __future__ import annotations

import typer

from callcoach.cli.app import app, state
from callcoach.cli.output import FORMAT_OPTION, OutputFormat, console, print_json


@app.command("init")
def init_command(ctx: typer.Context, output: OutputFormat = FORMAT_OPTION) -> None:
    """Create the database, or migrate it to the latest schema, and add the rubric templates."""
    from callcoach.services.rubrics.catalog import install_templates

    container = state(ctx).container(require_current=False)
    before, after = container.store.migrate()
    added = install_templates(container.store)
    result = {
        "database": container.store.database.display_url,
        "schema_before": before,
        "schema_now": after,
        "templates": [
            {"rubric": a.stored.rubric.id, "version": a.stored.version, "new": a.is_new_version}
            for a in added
        ],
    }
    if output is OutputFormat.json:
        print_json(result)
        return
    if before is None:
        console.print(f"Created database {result['database']} (schema {after}).")
    elif before != after:
        console.print(f"Migrated {result['database']} from schema {before} to {after}.")
    else:
        console.print(f"Database {result['database']} is up to date (schema {after}).")
    for item in added:
        state_text = "added" if item.is_new_version else "already present"
        console.print(
            f"  rubric template [bold]{item.stored.rubric.id}[/] v{item.stored.version}: "
            f"{state_text}"
        )

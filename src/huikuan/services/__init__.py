"""Use cases: plain functions over an explicit :class:`~huikuan.services.context.Context`
returning typed results. No typer, no SQL strings, no global state (``cli/`` drives them)."""

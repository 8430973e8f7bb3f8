"""Letters: rendering (Jinja, later) and delivery (outbox files, SMTP later)."""

"""PostgreSQL storage: connection pool, migrations, the schema store, change notifications,
the embedded server."""

"""PostgreSQL storage: connection pool, migrations, the schema store, the embedded server."""

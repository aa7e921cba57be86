"""The demo corpus (five articles and their stance targets): installed as the package `app.seeds` and read
through `app.packagedata`."""

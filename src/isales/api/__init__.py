"""HTTP: routes, request acceptance, validation and answers. Only this package imports FastAPI."""

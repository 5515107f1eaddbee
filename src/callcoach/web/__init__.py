"""FastAPI app, routes, templates, static files. Routes parse, authorize, call a service, render."""

"""Use cases that tie the layers together: called by the CLI, the web app, jobs and tests alike."""

"""Performance reviews built from call evidence, for the manager and the rep.

prepare (pack.py, prepare.py) -> self-assess, rate, plan (lifecycle.py) -> draft and edit with
the check (drafting.py) -> share -> hold (schedules the 30-day checkpoint as a coaching event)
-> close (only with the four outputs) ; export (export.py) ; views for the CLI, web and API
(views.py). Every function takes the asking Viewer; a review outside their scope is reported
exactly like one that does not exist.
"""

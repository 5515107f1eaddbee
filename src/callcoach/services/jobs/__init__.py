"""Background jobs: one model for every kind of background work, whichever queue runs it.

Every background job (transcribing a recording, scoring one call, scoring a selection of
calls, and the review and practice work to come) is a row in the `jobs` table: kind, owner,
status, attempts, progress (done / total / message), result or error, timestamps, and the
heartbeat and identity (host, pid, process start) of the process running it. Two queues run
them, chosen by CALLCOACH_JOB_QUEUE: `inprocess` (threads of the web server or the command
running it, for one machine) and `celery` (workers on Redis, at scale).

Modules: `registry` (what a kind is; the work's context), `kinds` (the registered kinds),
`builtin` (their work), `queue` (the port, enqueueing), `runner` (claim, run, record),
`progress` (progress and heartbeat), `liveness` and `recovery` (a dead runner's jobs are
resumed or failed), `scoring` (score-calls requests), `views` (list, cancel, retry).

Adding a kind (reviews, practice, ...): write its work in its capability's package,

    def prepare_review_packs(ctx: JobContext) -> dict[str, Any]:
        ctx.progress.start("Preparing review packs", len(reps))
        for rep in reps:
            ...                      # idempotent: skip what a killed attempt already did
            ctx.progress.advance()   # written at most twice a second; a cancel stops here
        return {"packs": n, "summary": f"{n} review pack(s) prepared"}

then add one line to `kinds.default_registry()`:

    JobKind("review-packs", "reviews", "Prepare review packs", prepare_review_packs)

and submit it with `submit_job(store, queue, registry, JobRequest("review-packs", key,
payload, owner=viewer.username))`. The payload is JSON; the work reads it from `ctx.payload`
and acts with the owner's access (`ctx.viewer`). Its Celery queue ("reviews") is then one of
the names `callcoach worker --queues` takes.
"""

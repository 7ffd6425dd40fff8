"""Background work on Django's tasks framework: the tasks, the periodic schedule, the scheduler
that enqueues it once per database, and ``paperfeed worker``, which drains the queue."""

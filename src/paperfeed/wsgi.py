import os

# One BLAS thread per web process (set before numpy is first imported): the for-you order's small
# matrix products gain nothing from more, and OpenBLAS's spinning idle threads took the cores the
# rest of each request needed -- a typical member's day 87 ms p95 on busy cores with one thread a
# core, 26 ms with one (benchmarks/bench_foryou_order.py, docs/benchmarks.md). An explicit
# setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
application = get_wsgi_application()

"""``/healthz`` (open), ``/readyz`` and ``/metrics`` (detail only for the operator:
:mod:`paperfeed.ops.access`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from paperfeed.ops import access, health, metrics


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches neither the database nor the disk."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every required check is ok, else 503; the body names each check to
    the operator (:func:`paperfeed.ops.access.sees_detail`), to anyone else only the status."""
    ready, checks = health.readiness()
    body = {"status": "ok" if ready else "unavailable"}
    if access.sees_detail(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus text exposition of this node's metrics, for the operator only (403 else)."""
    if not access.sees_detail(request):
        return HttpResponse(METRICS_FORBIDDEN, status=403, content_type="text/plain")
    return HttpResponse(metrics.render(), content_type=metrics.CONTENT_TYPE)


METRICS_FORBIDDEN = (
    "403 Forbidden: /metrics is served to the addresses in PAPERFEED_OPS_NETWORKS, or with "
    "'Authorization: Bearer <PAPERFEED_OPS_TOKEN>' (docs/deploy.md, 'Health and metrics').\n"
)

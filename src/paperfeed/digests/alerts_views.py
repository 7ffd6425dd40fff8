"""The "stop all alerts" link of alert mails (and their RFC 8058 one-click ``List-Unsubscribe``).

GET shows a page with a button; POST (the button, or a mail client's one-click POST without a
cookie: the signed token is the proof, hence no CSRF check) sets every follow of the account to
"no mail" (:func:`paperfeed.personal.follows.stop_alerts`). The follows themselves stay;
``/follows`` turns alerts back on one by one.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from paperfeed.digests import alerts, tokens
from paperfeed.personal import follows


@csrf_exempt  # RFC 8058: the mail client POSTs without cookies; the signed token is the proof
@require_http_methods(["GET", "POST"])
def alerts_off(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = tokens.read_alerts_token(token)
    except tokens.BadToken as exc:
        context = {"title": "Link not valid", "reason": str(exc)}
        return render(request, "digests/bad_link.html", context, status=400)
    if request.method == "POST":
        stopped = follows.stop_alerts(user)
        context = {"title": "Alerts stopped", "stopped": stopped}
        return render(request, "digests/alerts_stopped.html", context)
    context = {"title": "Stop mail alerts", "email": user.email, "count": alerts.alerting(user)}
    return render(request, "digests/alerts_off.html", context)

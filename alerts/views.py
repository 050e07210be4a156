"""The pages of alerts and follows: asking, confirming, the list of them, stopping.

No page needs an account: the signed links in the emails are what let a person confirm, see
and stop their alerts. A link that opens a page never changes anything by itself (mail
scanners open links); a button does, except the one-click unsubscribe of RFC 8058, which mail
programs POST to without a page or a cookie, so it takes no CSRF token: the signed address in
the link is what it trusts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from adopters.views import sender_key
from alerts import services
from alerts.forms import AlertForm, FollowForm, ManageLinkForm
from alerts.models import Alert, Watch
from catalogue.models import Innovation
from kernel.text import row_id


def _own_address(request: HttpRequest) -> str:
    """A signed-in person's address, offered in the form (still confirmed by email: the
    account's address may be old, and the link proves the mailbox is theirs today)."""
    return getattr(request.user, "email", "") if request.user.is_authenticated else ""


def _invalid(request: HttpRequest, problem: str) -> HttpResponse:
    return render(request, "alerts/invalid_link.html", {"problem": problem}, status=400)


def _rate_limited(request: HttpRequest, exc: services.RateLimited) -> HttpResponse:
    response = render(
        request, "alerts/rate_limited.html", {"minutes": -(-exc.retry_after // 60)}, status=429
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


def _refused(form: AlertForm | FollowForm | ManageLinkForm, exc: ValidationError) -> None:
    for name, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


@require_http_methods(["GET", "HEAD", "POST"])
def new_alert(request: HttpRequest) -> HttpResponse:
    """Get emails about new innovations like the ones a search shows: GET with the search's
    own parameters, POST with the form."""
    if request.method == "POST":
        form = AlertForm(request.POST)
        query = request.POST.get("query", "")
    else:
        query = request.GET.urlencode()
        form = AlertForm(initial={"query": query, "email": _own_address(request)})
    problems: list[str] = []
    try:
        query = services.normalised_query(query)
        described = services.describe_query(query)
    except ValidationError as exc:
        problems = exc.message_dict.get("query", [])
        described = ""
    if problems:
        return render(request, "alerts/new.html", {"form": None, "problems": problems}, status=400)
    form.initial["query"] = query
    key, absolute = sender_key(request), request.build_absolute_uri
    return _asking(
        request,
        form,
        lambda email, frequency: services.ask_for_alert(
            email, query, frequency, key=key, absolute=absolute
        ),
        "alerts/new.html",
        {"described": described, "query": query},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    innovation = get_object_or_404(Innovation.objects.published(), slug=slug)
    form = FollowForm(
        request.POST if request.method == "POST" else None,
        initial={"email": _own_address(request)},
    )
    key, absolute = sender_key(request), request.build_absolute_uri
    return _asking(
        request,
        form,
        lambda email, frequency: services.ask_to_follow(
            email, innovation, frequency, key=key, absolute=absolute
        ),
        "alerts/follow.html",
        {"innovation": innovation},
    )


def _asking(
    request: HttpRequest,
    form: AlertForm | FollowForm,
    ask: Callable[[str, str], object],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A form that asks for emails: on a valid POST, the service (`ask`, given the address and
    the frequency), then "check your email"; otherwise the form, with what was refused."""
    if form.is_bound and form.is_valid():
        try:
            ask(form.cleaned_data["email"], form.cleaned_data["frequency"])
        except services.RateLimited as exc:
            return _rate_limited(request, exc)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            return redirect("alerts:check-email")
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


def check_email(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/check_email.html", {"days": services.CONFIRM_DAYS})


@never_cache  # it holds a link to the address's alerts, or shows them
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is being confirmed; the button (a POST) confirms it."""
    try:
        subscription = services.subscription_to_confirm(token)
    except services.InvalidLink as exc:
        return _invalid(request, str(exc))
    if request.method == "POST":
        services.confirm(subscription)
        return redirect("alerts:confirm", token=token)
    return render(
        request,
        "alerts/confirm.html",
        {
            "subscription": subscription,
            "what": services.describe(subscription),
            "is_alert": isinstance(subscription, Alert),
            "manage_token": services.manage_token(subscription.address),
        },
    )


@never_cache  # it holds a link to the address's alerts, or shows them
@require_http_methods(["GET", "HEAD", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """Stop one alert or follow, from the link under it in a digest."""
    try:
        what, subscription = services.to_stop(token)
    except services.InvalidLink as exc:
        return _invalid(request, str(exc))
    if request.method == "POST" and subscription is not None:
        services.stop(subscription)
        return render(request, "alerts/stopped.html", {"what": what})
    if subscription is None:
        return render(request, "alerts/stopped.html", {"what": "", "already": True})
    return render(request, "alerts/stop.html", {"what": what, "everything": False})


@never_cache
@csrf_exempt  # RFC 8058's one-click POST comes from the mail program, with no cookie or token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Stop every alert and follow of the address the link was sent to."""
    try:
        address = services.address_to_stop(token)
    except services.InvalidLink as exc:
        return _invalid(request, str(exc))
    if request.method == "POST":
        services.stop_everything(address)
        return render(request, "alerts/stopped.html", {"what": "", "everything": True})
    return render(request, "alerts/stop.html", {"what": "", "everything": True})


@never_cache  # it holds a link to the address's alerts, or shows them
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The alerts and follows of one address, each with a button that stops it."""
    try:
        address = services.address_to_manage(token)
    except services.InvalidLink as exc:
        return _invalid(request, str(exc))
    stopped = ""
    if request.method == "POST":
        if request.POST.get("stop") == "all":
            services.stop_everything(address)
            stopped = "everything"
        else:
            kind, _, text = request.POST.get("stop", "").partition("-")
            pk = row_id(text)
            # Only one of this address's own: the token names the address, the form the row.
            chosen: Alert | Watch | None = None
            if pk is not None and kind == "alert":
                chosen = Alert.objects.filter(address=address, pk=pk).first()
            elif pk is not None and kind == "watch":
                chosen = Watch.objects.filter(address=address, pk=pk).first()
            if chosen is not None:
                stopped = services.describe(chosen)
                services.stop(chosen)
    alerts, watches = services.subscriptions_of(address)
    return render(
        request,
        "alerts/manage.html",
        {
            "alerts": [(alert, services.describe(alert)) for alert in alerts],
            "watches": watches,
            "stopped": stopped,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """What alerts are, and a form that emails the link to the list of one's own."""
    form = ManageLinkForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.send_manage_link(
                form.cleaned_data["email"],
                key=sender_key(request),
                absolute=request.build_absolute_uri,
            )
        except services.RateLimited as exc:
            return _rate_limited(request, exc)
        except ValidationError as exc:
            _refused(form, exc)
        else:
            return render(request, "alerts/link_sent.html", {"days": services.MANAGE_DAYS})
    return render(request, "alerts/index.html", {"form": form}, status=400 if form.errors else 200)

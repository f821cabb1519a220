from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from warmwinter.accounts.auth import request_user
from warmwinter.notifications import selectors, services


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(selectors.notifications_for(user=user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request_user(request))
    return redirect("notifications:list")


@login_required
@require_GET
def devices(request: HttpRequest) -> HttpResponse:
    """The user's phones and browsers that get alerts (「接单提醒设备」), each revocable."""
    user = request_user(request)
    return render(
        request,
        "notifications/devices.html",
        {"subscriptions": selectors.push_subscriptions_for(user=user)},
    )


@login_required
@require_POST
def device_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    subscription = selectors.push_subscription_for(user, pk)
    services.push_unsubscribe(user=user, subscription=subscription)
    messages.success(request, _("已撤销该设备的接单提醒"))
    return redirect("notifications:devices")

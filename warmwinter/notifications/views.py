from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

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

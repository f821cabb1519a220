from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.audit.selectors import audit_events_for


@login_required
@capability_required(Capability.VIEW_AUDIT)
def event_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(audit_events_for(user=request_user(request)), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "audit/list.html", {"page": page})

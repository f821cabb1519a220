from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.decorators import capability_required
from warmwinter.accounts.roles import Capability
from warmwinter.core.forms import render_form
from warmwinter.places import selectors
from warmwinter.places.forms import PlaceFilterForm


@login_required
@capability_required(Capability.VIEW_PLACES)
def place_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PlaceFilterForm(request.GET)
    qs = selectors.places_for(user=user).none()
    if form.is_valid():
        data = form.cleaned_data
        district = selectors.district_by_code(data["district"]) if data["district"] else None
        if data["district"] and district is None:
            form.add_error("district", _("没有这个区代码"))
        else:
            qs = selectors.places_for(
                user=user, kind=data["kind"] or None, district=district, q=data["q"]
            )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "places/_table.html" if request.htmx else "places/list.html"  # type: ignore[attr-defined]
    return render_form(request, template, {"form": form, "page": page}, form)


@login_required
@capability_required(Capability.VIEW_PLACES)
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = selectors.place_for(request_user(request), pk)
    return render(request, "places/detail.html", {"place": place})

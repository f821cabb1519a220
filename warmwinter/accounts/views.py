from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from warmwinter.accounts.forms import LoginForm
from warmwinter.core.forms import REFUSED


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("登录")}

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = REFUSED  # a refused form, as on every page (core/forms.py)
        return response


class LogoutView(auth_views.LogoutView):
    pass

from django.contrib import admin
from django.urls import include, path

from warmwinter.api import api
from warmwinter.core.views import healthz, livez

urlpatterns = [
    path("", include("warmwinter.core.urls")),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("accounts/", include("warmwinter.accounts.urls")),
    path("places/", include("warmwinter.places.urls")),
    path("leads/", include("warmwinter.leads.urls")),
    path("open311/v2/", include("warmwinter.leads.open311_urls")),
    path("notifications/", include("warmwinter.notifications.urls")),
    path("dispatch/", include("warmwinter.dispatch.urls")),
    path("weather/", include("warmwinter.weather.urls")),
    path("people/", include("warmwinter.people.urls")),
    path("stations/", include("warmwinter.stations.urls")),
    path("supplies/", include("warmwinter.supplies.urls")),
    path("patrols/", include("warmwinter.patrols.urls")),
    path("audit/", include("warmwinter.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

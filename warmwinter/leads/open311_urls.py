"""Open311 GeoReport v2, mounted by the project at /open311/v2/."""

from django.urls import path

from warmwinter.leads import open311

app_name = "open311"
urlpatterns = [
    path("services.json", open311.services_list, name="services"),
    path("requests.json", open311.requests_collection, name="requests"),
    path("requests/<str:code>.json", open311.requests_detail, name="request"),
]

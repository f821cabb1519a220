from django.urls import path

from warmwinter.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_view, name="map"),
    path("rules/", views.rulebook_page, name="rulebook"),
]

from django.urls import path

from warmwinter.weather import views

app_name = "weather"
urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", views.rules_page, name="rules"),
    path("ingest/", views.ingest, name="ingest"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("<str:code>/", views.district_page, name="district"),
    path("<str:code>/level/", views.set_level, name="set_level"),
]

from django.urls import path

from warmwinter.patrols import views

app_name = "patrols"
urlpatterns = [
    path("", views.index, name="index"),
    path("plan/", views.plan, name="plan"),
    path("nights/<int:pk>/", views.night, name="night"),
    path("nights/<int:pk>/edit/", views.night_edit, name="night_edit"),
    path("encounters/", views.encounters, name="encounters"),
    path("encounters/<int:pk>/", views.encounter, name="encounter"),
    path("encounters/<int:pk>/arrival/", views.encounter_arrival, name="encounter_arrival"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("key-places/", views.key_places, name="key_places"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("app/", views.app, name="app"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]

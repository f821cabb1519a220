from django.urls import path

from warmwinter.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("report/", views.public_report, name="report"),
    path("track/", views.public_track, name="track"),
    path("track/<str:code>/", views.public_track, name="track_code"),
    path("new/", views.quick_report, name="new"),
    path("hotline/", views.hotline_console, name="hotline"),
    path("hotline/already-reported/", views.hotline_already_reported, name="hotline_reported"),
    path("hotline/caller/", views.hotline_caller_history, name="hotline_caller"),
    path("hotline/places/", views.hotline_place_search, name="hotline_places"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", views.lead_photo, name="photo"),
    path("<int:pk>/merge/", views.lead_merge, name="merge"),
    path("<int:pk>/cancel/", views.lead_cancel, name="cancel"),
]

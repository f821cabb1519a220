from django.urls import path

from warmwinter.stations import views

app_name = "stations"
urlpatterns = [
    path("", views.index, name="index"),
    path("statistics/", views.statistics_page, name="statistics"),
    path("s/<str:code>/", views.home, name="home"),
    path("s/<str:code>/admit/", views.admit, name="admit"),
    path("s/<str:code>/disinfection/", views.record_disinfection, name="disinfection"),
    path("s/<str:code>/roster/", views.roster, name="roster"),
    path("s/<str:code>/rounds/", views.rounds, name="rounds"),
    path("s/<str:code>/long-stay/", views.long_stay, name="long_stay"),
    path("s/<str:code>/refuse/", views.refuse, name="refuse"),
    path("shelters/<int:pk>/", views.shelter_home, name="shelter"),
    path("shelters/<int:pk>/admit/", views.shelter_admit, name="shelter_admit"),
    path("decisions/<int:pk>/", views.decision_print, name="decision_print"),
    path("admissions/<int:pk>/terminate/", views.terminate, name="terminate"),
    path("admissions/<int:pk>/placement/", views.placement_step, name="placement_step"),
    path("admissions/<int:pk>/health/", views.record_health, name="health"),
    path("admissions/<int:pk>/", views.admission_detail, name="admission"),
    path("admissions/<int:pk>/print/", views.print_form, name="print_registration"),
    path("admissions/<int:pk>/print/<slug:form>/", views.print_form, name="print"),
    path("admissions/<int:pk>/bed/", views.assign_bed, name="assign_bed"),
    path("admissions/<int:pk>/extend/", views.extend_stay, name="extend"),
    path("admissions/<int:pk>/visit/", views.record_visit, name="visit"),
    path("admissions/<int:pk>/discharge/", views.discharge, name="discharge"),
    path("admissions/<int:pk>/services/", views.open_service, name="open_service"),
    path(
        "services/<int:pk>/step/", views.service_progress, {"action": "step"}, name="service_step"
    ),
    path(
        "services/<int:pk>/close/",
        views.service_progress,
        {"action": "close"},
        name="service_close",
    ),
]

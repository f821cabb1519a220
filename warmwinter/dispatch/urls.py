from django.urls import path

from warmwinter.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.board, name="board"),
    path("board/live/", views.board_partial, name="board_live"),
    path("leads/<int:pk>/assign/", views.assign, name="assign"),
    path("leads/<int:pk>/accept/", views.team_action, {"action": "accept"}, name="accept"),
    path("leads/<int:pk>/arrive/", views.team_action, {"action": "arrive"}, name="arrive"),
    path("leads/<int:pk>/close/", views.close, name="close"),
    path("leads/<int:pk>/nobody-found/", views.nobody_found, name="nobody_found"),
    path("leads/<int:pk>/ambulance/", views.ambulance, name="ambulance"),
    path("my/", views.my_leads, name="my"),
    path("auto-dispatch/", views.auto_dispatch_toggle, name="auto_dispatch"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team_new"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/archive/", views.team_archive, name="team_archive"),
    path("teams/<int:pk>/shifts/", views.shift_add, name="shift_add"),
    path("teams/<int:pk>/shifts/<int:shift_pk>/remove/", views.shift_remove, name="shift_remove"),
    path("teams/<int:pk>/shifts/<int:shift_pk>/repeat/", views.shift_repeat, name="shift_repeat"),
]

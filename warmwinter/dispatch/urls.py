from django.urls import path

from warmwinter.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.board, name="board"),
    path("board/live/", views.board_partial, name="board_live"),
    path("leads/<int:pk>/assign/", views.assign, name="assign"),
    path("leads/<int:pk>/accept/", views.team_action, {"action": "accept"}, name="accept"),
    path("leads/<int:pk>/arrive/", views.team_action, {"action": "arrive"}, name="arrive"),
    path("leads/<int:pk>/close/", views.team_action, {"action": "close"}, name="close"),
    path("my/", views.my_leads, name="my"),
    path("auto-dispatch/", views.auto_dispatch_toggle, name="auto_dispatch"),
    path("teams/", views.team_list, name="teams"),
]

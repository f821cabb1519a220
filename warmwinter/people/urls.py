from django.urls import path

from warmwinter.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("candidates/", views.candidates, name="candidates"),
    path("review/", views.review_queue, name="review"),
    path("review/<int:pk>/", views.review_decide, name="review_decide"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("focus/", views.focus_overview, name="focus"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/approve/", views.notice_approve, name="notice_approve"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("inquiries/", views.inquiry_list, name="inquiries"),
    path("inquiries/new/", views.inquiry_create, name="inquiry_create"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/photo/", views.inquiry_photo, name="inquiry_photo"),
    path("inquiry-matches/<int:pk>/decide/", views.inquiry_match_decide, name="inquiry_decide"),
    path("xunqin/", views.public_notices, name="public_notices"),
    path("xunqin/<int:pk>/photo/", views.public_notice_photo, name="public_notice_photo"),
]

from django.urls import path

from warmwinter.supplies import views

app_name = "supplies"
urlpatterns = [
    path("", views.index, name="index"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("warehouses/<int:pk>/issue/", views.warehouse_issue, name="issue"),
    path("warehouses/<int:pk>/receive/", views.warehouse_receive, name="receive"),
    path("warehouses/<int:pk>/transfer/", views.warehouse_transfer, name="transfer"),
    path("warehouses/<int:pk>/correct/", views.warehouse_correct, name="correct"),
    path("mobile/", views.mobile, name="mobile"),
    path("mobile/<int:pk>/issue/", views.mobile_issue, name="mobile_issue"),
    path("reserves/", views.reserves, name="reserves"),
    path("reserves/targets/", views.target_save, name="target_save"),
    path("reserves/plan/", views.plan_execute, name="plan_execute"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/review/", views.alert_review, name="alert_review"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/receive/", views.transfer_receive, name="transfer_receive"),
    path("movements/", views.movement_list, name="movements"),
    path("export/<slug:kind>.xlsx", views.export, name="export"),
]

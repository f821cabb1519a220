from django.urls import URLPattern

app_name = "leads"
urlpatterns: list[URLPattern] = []

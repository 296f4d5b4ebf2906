from django.urls import path

from shared_apps.landing import views

app_name = "landing"
urlpatterns = [
    path("", views.landing, name="landing"),
]

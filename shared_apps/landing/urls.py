from django.urls import path

from shared_apps.landing import views

app_name = "landing"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/slug-check/", views.slug_check, name="slug-check"),
    path("signup/verify/<str:token>/", views.signup_verify_view, name="signup-verify"),
]

from django.urls import path

from shared_apps.landing.views import welcome

urlpatterns = [path("<str:token>/", welcome, name="signup-welcome")]

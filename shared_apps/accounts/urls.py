from django.urls import path

from shared_apps.accounts.views import set_password

urlpatterns = [
    path("set-password/<str:uidb64>/<str:token>/", set_password, name="set-password"),
]

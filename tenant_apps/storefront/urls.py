from django.urls import path

from tenant_apps.storefront import views

app_name = "storefront"
urlpatterns = [
    path("", views.home, name="home"),
]

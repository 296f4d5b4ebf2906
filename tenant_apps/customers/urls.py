from django.urls import path

from tenant_apps.customers import api

urlpatterns = [
    path("", api.CustomerListApi.as_view(), name="customers"),
    path("<int:customer_id>/", api.CustomerDetailApi.as_view(), name="customer-detail"),
]

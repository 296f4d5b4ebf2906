from django.urls import path

from tenant_apps.orders import api

urlpatterns = [
    path("", api.OrderListApi.as_view(), name="orders"),
    path("quote/", api.OrderQuoteApi.as_view(), name="order-quote"),
    path("<int:order_id>/", api.OrderDetailApi.as_view(), name="order-detail"),
    path("<int:order_id>/status/", api.OrderStatusApi.as_view(), name="order-status"),
]

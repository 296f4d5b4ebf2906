from django.urls import path

from tenant_apps.promotions import api

urlpatterns = [
    path("", api.PromotionListApi.as_view(), name="promotions"),
    path("current/", api.CurrentPromotionsApi.as_view(), name="promotions-current"),
    path("<int:promotion_id>/", api.PromotionDetailApi.as_view(), name="promotion-detail"),
]

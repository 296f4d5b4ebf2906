from django.urls import path

from shared_apps.console import views_auth, views_billing, views_ops, views_support

app_name = "console"
urlpatterns = [
    path("login/", views_auth.login_view, name="login"),
    path("login/code/", views_auth.code_view, name="login-code"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("", views_ops.restaurants_view, name="restaurants"),
    path("restaurants/<slug:slug>/", views_ops.restaurant_view, name="restaurant"),
    path(
        "restaurants/<slug:slug>/<str:action>/",
        views_ops.restaurant_action_view,
        name="restaurant-action",
    ),
    path("onboard/", views_ops.onboard_view, name="onboard"),
    path("health/", views_ops.health_view, name="health"),
    path("accounts/", views_ops.accounts_view, name="accounts"),
    path("accounts/<int:user_id>/reset-2fa/", views_ops.account_reset_view, name="account-reset"),
    path("audit/", views_ops.audit_view, name="audit"),
    path("support/", views_support.support_home_view, name="support"),
    path("support/access-log/", views_support.support_access_log_view, name="support-log"),
    path(
        "support/<slug:slug>/access/",
        views_support.support_access_form_view,
        name="support-access-form",
    ),
    path(
        "support/<slug:slug>/access/open/",
        views_support.support_access_view,
        name="support-access",
    ),
    path(
        "support/<slug:slug>/<str:kind>/<int:record_id>/",
        views_support.support_record_view,
        name="support-record",
    ),
    path("billing/", views_billing.billing_view, name="billing"),
    path("billing/plans/<slug:code>/", views_billing.plan_edit_view, name="billing-plan"),
    path(
        "billing/invoices/<int:invoice_id>/pdf/",
        views_billing.invoice_pdf_view,
        name="billing-invoice-pdf",
    ),
    path(
        "billing/invoices/<int:invoice_id>/<str:action>/",
        views_billing.invoice_action_view,
        name="billing-invoice-action",
    ),
]

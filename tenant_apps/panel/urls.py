from django.urls import path

from tenant_apps.panel.views import auth, orders

app_name = "panel"
urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("language/", auth.language_view, name="language"),
    path("password-reset/", auth.password_reset_view, name="password-reset"),
    path("orders/", orders.board, name="orders"),
    path("orders/board/", orders.board_poll, name="orders-poll"),
    path("orders/<int:order_id>/", orders.detail, name="order"),
    path("orders/<int:order_id>/ticket/", orders.ticket, name="order-ticket"),
    path("orders/<int:order_id>/advance/", orders.advance, name="order-advance"),
    path("orders/<int:order_id>/cancel/", orders.cancel, name="order-cancel"),
]

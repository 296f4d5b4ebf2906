from django.urls import path

from tenant_apps.panel.views import auth, conversations, orders

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
    path("conversations/", conversations.inbox, name="conversations"),
    path("conversations/list/", conversations.inbox_poll, name="conversations-poll"),
    path("conversations/<int:conversation_id>/", conversations.thread, name="conversation"),
    path("conversations/<int:conversation_id>/thread/", conversations.thread_poll),
    path("conversations/<int:conversation_id>/take-over/", conversations.take_over),
    path("conversations/<int:conversation_id>/hand-back/", conversations.hand_back),
    path("conversations/<int:conversation_id>/close/", conversations.close),
    path("conversations/<int:conversation_id>/reply/", conversations.reply),
]

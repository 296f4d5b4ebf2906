from django.urls import path

from tenant_apps.panel.views import (
    auth,
    conversations,
    dashboard,
    menu,
    orders,
    reservations,
)

app_name = "panel"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
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
    path("menu/", menu.menu, name="menu"),
    path("menu/categories/new/", menu.category_form, name="menu-category-new"),
    path("menu/categories/<int:category_id>/", menu.category_form, name="menu-category"),
    path("menu/categories/<int:category_id>/move/", menu.move_category),
    path("menu/items/new/", menu.item_form, name="menu-item-new"),
    path("menu/items/<int:item_id>/", menu.item_form, name="menu-item"),
    path("menu/items/<int:item_id>/availability/", menu.availability),
    path("menu/items/<int:item_id>/move/", menu.move_item),
    path("reservations/", reservations.reservations, name="reservations"),
    path("reservations/new/", reservations.create, name="reservation-new"),
    path("reservations/<int:reservation_id>/status/", reservations.transition),
]

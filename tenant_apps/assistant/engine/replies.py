"""What the assistant says, in Spanish and English, and how it writes money and dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tenant_apps.assistant.nlu.patterns import bounded

TEXTS: dict[str, dict[str, str]] = {
    "trouble": {
        "es": "Perdona, he tenido un problema con ese mensaje. ¿Puedes repetirlo de otra forma?",
        "en": "Sorry, I had trouble with that message. Could you say it another way?",
    },
    "capabilities": {
        "es": "Puedo enseñarte la carta, responder dudas sobre los platos (precio, alérgenos), "
        "tomar tu pedido para recoger, a domicilio o en el local, reservar, cambiar o "
        "cancelar una mesa, decirte el horario, la dirección y las promociones, o pasarte "
        "con una persona. ¿Qué necesitas?",
        "en": "I can show you the menu, answer questions about dishes (price, allergens), take "
        "your order for pickup, delivery or dine-in, book, change or cancel a table, tell "
        "you our hours, address and promotions, or put you through to a person. What do "
        "you need?",
    },
    "fallback": {
        "es": "No estoy seguro de haberte entendido. ",
        "en": "I'm not sure I understood. ",
    },
    "empty": {"es": "¿En qué te puedo ayudar?", "en": "How can I help you?"},
    "thanks": {"es": "¡De nada! ¿Algo más?", "en": "You're welcome! Anything else?"},
    "goodbye": {
        "es": "¡Hasta pronto! Gracias por escribirnos.",
        "en": "Bye! Thanks for getting in touch.",
    },
    "anything_else": {"es": "¿Algo más?", "en": "Anything else?"},
    "switched": {"es": "¡Claro! Seguimos en español.", "en": "Sure! Let's continue in English."},
    "handoff": {
        "es": "Te paso con una persona del equipo; te contestará aquí en cuanto pueda.",
        "en": "I'm passing you to someone on our team; they'll answer here as soon as they can.",
    },
    "resumed": {
        "es": "¡Perfecto, sigo contigo!",
        "en": "Sure, let's carry on!",
    },
    "menu_intro": {"es": "Esta es nuestra carta:", "en": "Here is our menu:"},
    "menu_empty": {
        "es": "Ahora mismo no tenemos la carta publicada.",
        "en": "Our menu isn't published right now.",
    },
    "menu_outro": {"es": "¿Qué te apetece?", "en": "What would you like?"},
    "category_intro": {"es": "En {category} tenemos:", "en": "In {category} we have:"},
    "price": {"es": "{item} cuesta {price}.", "en": "{item} is {price}."},
    "describe": {"es": "{item}: {description}", "en": "{item}: {description}"},
    "no_description": {"es": "{item} cuesta {price}.", "en": "{item} is {price}."},
    "allergens": {"es": "{item} contiene: {allergens}.", "en": "{item} contains: {allergens}."},
    "allergen_yes": {
        "es": "{item} lleva {allergen} (alérgenos declarados: {allergens}).",
        "en": "{item} contains {allergen} (declared allergens: {allergens}).",
    },
    "allergen_no": {
        "es": "{item} no lleva {allergen} según sus alérgenos declarados ({allergens}).",
        "en": "{item} has no {allergen} among its declared allergens ({allergens}).",
    },
    "none": {"es": "ninguno", "en": "none"},
    "allergen_free_list": {
        "es": "Sin {allergen} entre sus alérgenos declarados: {items}.",
        "en": "With no {allergen} among their declared allergens: {items}.",
    },
    "allergen_in_all": {
        "es": "Todos llevan {allergen}: {items}.",
        "en": "All of them contain {allergen}: {items}.",
    },
    "tag_none_of": {
        "es": "Ninguno es {tag}: {items}.",
        "en": "None of them is {tag}: {items}.",
    },
    "no_allergens": {
        "es": "{item} no tiene alérgenos declarados.",
        "en": "{item} has no declared allergens.",
    },
    "tag_yes": {"es": "Sí, {item} es {tag}.", "en": "Yes, {item} is {tag}."},
    "tag_no": {"es": "No, {item} no es {tag}.", "en": "No, {item} is not {tag}."},
    "tag_list": {"es": "Platos {tag}: {items}.", "en": "{tag} options: {items}."},
    "tag_none": {
        "es": "Ahora mismo no tenemos platos {tag}.",
        "en": "We don't have {tag} dishes right now.",
    },
    "which_item": {
        "es": "¿De qué plato? Por ejemplo: {examples}.",
        "en": "Which dish? For example: {examples}.",
    },
    "not_on_menu": {
        "es": "Eso no está en nuestra carta. ¿Quieres que te la enseñe?",
        "en": "That isn't on our menu. Would you like to see it?",
    },
    "added": {"es": "Añadido: {lines}.", "en": "Added: {lines}."},
    "cart": {
        "es": "Tu pedido: {lines}. Subtotal: {subtotal}.",
        "en": "Your order: {lines}. Subtotal: {subtotal}.",
    },
    "cart_discount": {
        "es": "Descuento: -{discount}. Total: {total}.",
        "en": "Discount: -{discount}. Total: {total}.",
    },
    "cart_empty": {
        "es": "Tu pedido está vacío. ¿Qué te gustaría pedir?",
        "en": "Your order is empty. What would you like?",
    },
    "cart_cleared": {"es": "He vaciado tu pedido.", "en": "I've cleared your order."},
    "removed": {"es": "Quitado: {item}.", "en": "Removed: {item}."},
    "removed_some": {
        "es": "Quitado: {quantity}x {item}; quedan {left}.",
        "en": "Removed: {quantity}x {item}; {left} left.",
    },
    "not_in_cart": {"es": "{item} no está en tu pedido.", "en": "{item} isn't in your order."},
    "sold_out": {
        "es": "Lo siento, {item} está agotado ahora mismo.",
        "en": "Sorry, {item} is sold out right now.",
    },
    "pick_item": {
        "es": "Tenemos varias opciones: {options}. ¿Cuál quieres?",
        "en": "We have several: {options}. Which one would you like?",
    },
    "option_unavailable": {
        "es": "Lo siento, no tenemos {item} con «{asked}».",
        "en": 'Sorry, we don\'t have {item} with "{asked}".',
    },
    "only_as_is": {
        "es": "{item} solo lo tenemos tal cual, sin opciones.",
        "en": "{item} only comes as it is, without options.",
    },
    "pick_option": {
        "es": "¿Qué {group} quieres para {item}? {options}.",
        "en": "Which {group} would you like for {item}? {options}.",
    },
    "ask_order_type": {
        "es": "¿Es para recoger, a domicilio o para comer en el local?",
        "en": "Is it for pickup, delivery or to eat in?",
    },
    "ask_address": {
        "es": "¿A qué dirección lo enviamos?",
        "en": "What address should we deliver to?",
    },
    "ask_order_time": {
        "es": '¿Para cuándo lo quieres? Dime una hora o "lo antes posible".',
        "en": 'When would you like it? Tell me a time or "as soon as possible".',
    },
    "ask_name": {"es": "¿A nombre de quién?", "en": "What name should I put it under?"},
    "ask_phone": {
        "es": "¿Me dejas un teléfono de contacto?",
        "en": "Could I have a contact phone number?",
    },
    "bad_phone": {
        "es": "Ese teléfono no parece válido. ¿Me lo escribes con el prefijo, "
        "por ejemplo {example}?",
        "en": "That phone number doesn't look valid. Could you type it with the "
        "country code, e.g. {example}?",
    },
    "order_summary": {
        "es": "Resumen: {lines}. {totals} {details}. ¿Confirmo el pedido?",
        "en": "Summary: {lines}. {totals} {details}. Shall I place the order?",
    },
    "order_placed": {
        "es": "¡Pedido #{number} confirmado! Total: {total}. {details}. ¡Gracias!",
        "en": "Order #{number} placed! Total: {total}. {details}. Thank you!",
    },
    "order_failed": {
        "es": "No he podido crear el pedido: {reason}",
        "en": "I couldn't place the order: {reason}",
    },
    "what_to_change": {
        "es": "De acuerdo, ¿qué quieres cambiar?",
        "en": "Sure, what would you like to change?",
    },
    "confirm_cancel_order": {
        "es": "Tu pedido #{number} ({total}) aún no está confirmado. ¿Lo cancelo?",
        "en": "Your order #{number} ({total}) isn't confirmed yet. Shall I cancel it?",
    },
    "order_cancelled": {
        "es": "Pedido #{number} cancelado.",
        "en": "Order #{number} cancelled.",
    },
    "order_dropped": {
        "es": "Vale, no hago el pedido: no se ha pedido nada. Si quieres otra cosa, dímelo.",
        "en": "OK, I won't place it: nothing has been ordered. Tell me if you'd like anything.",
    },
    "booking_dropped": {
        "es": "Vale, no hago la reserva. Si quieres otra cosa, dímelo.",
        "en": "OK, I won't make the booking. Tell me if you'd like anything else.",
    },
    "needs_yes": {
        "es": "Todavía no he hecho nada: responde «sí» para confirmarlo o «no» para dejarlo.",
        "en": "Nothing is done yet: reply “yes” to confirm it, or “no” to leave it.",
    },
    "order_kept": {
        "es": "De acuerdo, tu pedido sigue en marcha.",
        "en": "OK, your order stays as it is.",
    },
    "order_too_late": {
        "es": "Tu pedido #{number} ya está {status}; para cambiarlo o cancelarlo tiene que "
        "verlo el equipo. ¿Quieres que te pase con una persona?",
        "en": "Your order #{number} is already {status}; to change or cancel it someone on "
        "our team has to look at it. Shall I put you through to a person?",
    },
    "order_status": {
        "es": "Tu pedido #{number} está {status}.",
        "en": "Your order #{number} is {status}.",
    },
    "no_orders": {
        "es": "No encuentro pedidos a tu nombre.",
        "en": "I can't find any orders for you.",
    },
    "verify_code_sent": {
        "es": (
            "Para proteger tus datos, si ese teléfono es de un cliente le hemos enviado un "
            "código de 6 cifras (por WhatsApp o por email). Escríbelo aquí. Si no te llega, "
            "puedo pasarte con una persona."
        ),
        "en": (
            "To protect your details, if that phone belongs to one of our customers we have "
            "sent them a 6-digit code (by WhatsApp or email). Type it here. If it does not "
            "arrive, I can put you through to a person."
        ),
    },
    "verify_code_wrong": {
        "es": "Ese código no es válido o ha caducado. Revísalo o pídeme otro.",
        "en": "That code is not valid or has expired. Check it or ask me for another one.",
    },
    "ask_phone_lookup": {
        "es": "¿Con qué teléfono hiciste el pedido o la reserva?",
        "en": "Which phone number did you use for the order or booking?",
    },
    "ask_party": {"es": "¿Para cuántas personas?", "en": "For how many people?"},
    "party_limits": {
        "es": "Por el chat reservamos mesas de {smallest} a {largest} personas. Para un grupo "
        "más grande{call} o pide hablar con una persona del equipo. ¿Para cuántas personas "
        "reservo?",
        "en": "Through the chat we book tables for {smallest} to {largest} people. For a larger "
        "group{call} or ask to talk to someone on our team. How many people should I book for?",
    },
    "call_us": {"es": ", llámanos al {phone}", "en": ", call us on {phone}"},
    "ask_day": {"es": "¿Para qué día?", "en": "For which day?"},
    "ask_time": {"es": "¿A qué hora?", "en": "At what time?"},
    "slot_free": {
        "es": "Hay mesa para {party} {when}.",
        "en": "We have a table for {party} {when}.",
    },
    "slot_full": {
        "es": "Lo siento, {when} no hay mesa para {party}. Tengo: {options}. ¿Te va bien alguna?",
        "en": "Sorry, there's no table for {party} {when}. I have: {options}. "
        "Would one of those work?",
    },
    "slot_none": {
        "es": "Lo siento, no hay mesas para {party} cerca de esa fecha. ¿Probamos otro día?",
        "en": "Sorry, there are no tables for {party} around then. Shall we try another day?",
    },
    "slots_other": {
        "es": "Tengo: {options}. ¿Te va bien alguna?",
        "en": "I have: {options}. Would one of those work?",
    },
    "no_later_slots": {
        "es": "Ese día no tengo nada más tarde. ¿Te va bien alguna de las otras o probamos "
        "otro día?",
        "en": "There's nothing later that day. Would one of the others work, or shall we try "
        "another day?",
    },
    "no_earlier_slots": {
        "es": "Ese día no tengo nada antes. ¿Te va bien alguna de las otras o probamos otro día?",
        "en": "There's nothing earlier that day. Would one of the others work, or shall we try "
        "another day?",
    },
    "slot_past": {
        "es": "Esa hora ya ha pasado. ¿Qué otra hora te va bien?",
        "en": "That time has already passed. What other time suits you?",
    },
    "booking_summary": {
        "es": "Mesa para {party} {when} a nombre de {name}{notes}. ¿Confirmo la reserva?",
        "en": "A table for {party} {when} under {name}{notes}. Shall I confirm the booking?",
    },
    "booking_done": {
        "es": "¡Reserva confirmada! Mesa para {party} {when}. ¡Te esperamos!",
        "en": "Booking confirmed! A table for {party} {when}. See you then!",
    },
    "booking_failed": {
        "es": "No he podido hacer la reserva: {reason}",
        "en": "I couldn't make the booking: {reason}",
    },
    "no_reservation": {
        "es": "No encuentro reservas próximas a tu nombre.",
        "en": "I can't find any upcoming bookings for you.",
    },
    "your_booking": {
        "es": "Tienes una reserva para {party} {when}. ¿Quieres cambiarla o cancelarla?",
        "en": "You have a booking for {party} {when}. Would you like to change or cancel it?",
    },
    "confirm_cancel": {
        "es": "Tienes una reserva para {party} {when}. ¿La cancelo?",
        "en": "You have a booking for {party} {when}. Shall I cancel it?",
    },
    "cancelled": {
        "es": "Reserva cancelada. ¡Esperamos verte pronto!",
        "en": "Booking cancelled. We hope to see you soon!",
    },
    "kept": {"es": "De acuerdo, mantengo tu reserva.", "en": "OK, I'll keep your booking."},
    "ask_new_time": {
        "es": "Tienes una reserva para {party} {when}. ¿A qué día y hora la cambio?",
        "en": "You have a booking for {party} {when}. What day and time should I move it to?",
    },
    "reschedule_summary": {
        "es": "Cambio tu reserva a mesa para {party} {when}. ¿Confirmo?",
        "en": "I'll move your booking to a table for {party} {when}. Shall I confirm?",
    },
    "rescheduled": {
        "es": "¡Reserva cambiada! Mesa para {party} {when}.",
        "en": "Booking changed! A table for {party} {when}.",
    },
    "hours": {"es": "Nuestro horario: {hours}.", "en": "Our opening hours: {hours}."},
    "closed_day": {"es": "cerrado", "en": "closed"},
    "open_now": {
        "es": "Sí, ahora mismo estamos abiertos. Hoy: {hours}.",
        "en": "Yes, we're open right now. Today: {hours}.",
    },
    "closed_now_until": {
        "es": "Ahora mismo estamos cerrados. Volvemos a abrir {when}.",
        "en": "We're closed right now. We open again {when}.",
    },
    "day_hours": {"es": "{day}: {hours}.", "en": "{day}: {hours}."},
    "address": {"es": "Estamos en {address}.", "en": "We're at {address}."},
    "no_address": {
        "es": "Puedes encontrarnos en {name}. Para la dirección exacta, pregunta a nuestro equipo.",
        "en": "You can find us at {name}. For the exact address, ask our team.",
    },
    "promotions": {
        "es": "Promociones de ahora:\n{promotions}",
        "en": "Current promotions:\n{promotions}",
    },
    "no_promotions": {
        "es": "Ahora mismo no tenemos promociones.",
        "en": "We have no promotions right now.",
    },
    "asap": {"es": "lo antes posible", "en": "as soon as possible"},
    "kind_pickup": {"es": "para recoger", "en": "for pickup"},
    "kind_delivery": {"es": "a domicilio", "en": "for delivery"},
    "kind_dine_in": {"es": "para comer aquí", "en": "to eat in"},
    "fulfilment_noted": {
        "es": "¡Perfecto, {kind}! ¿Qué te pongo?",
        "en": "Great, {kind}! What would you like?",
    },
    "we_serve": {
        "es": "Sí: puedes pedir para recoger, a domicilio o para comer aquí. ¿Qué te apetece?",
        "en": "Yes: you can order for pickup, for delivery or to eat in. What would you like?",
    },
    "noted": {"es": "Apuntado.", "en": "Noted."},
    "request_noted": {
        "es": "Lo dejo anotado para el restaurante: «{note}».",
        "en": 'I\'ve noted that for the restaurant: "{note}".',
    },
    "with_note": {"es": " (nota: {note})", "en": " (note: {note})"},
    "promo_taken": {"es": "Código {code} aplicado.", "en": "Code {code} applied."},
    "promo_kept": {
        "es": "Apunto el código {code}; se aplicará a tu pedido si cumple las condiciones. "
        "¿Qué te apetece?",
        "en": "I've noted the code {code}; it will apply to your order if it qualifies. "
        "What would you like?",
    },
    "promo_unknown": {
        "es": "No conozco ese código. Puedo decirte las promociones de ahora.",
        "en": "I don't know that code. I can tell you our current promotions.",
    },
    "promo_refused": {
        "es": "El código {code} no se puede aplicar: {reason}",
        "en": "The code {code} can't be applied: {reason}",
    },
    "no_eta": {
        "es": 'Depende del momento: al hacer el pedido eliges la hora o "lo antes posible", y '
        'luego puedes preguntarme "¿dónde está mi pedido?". ¿Te tomo nota?',
        "en": 'It depends on how busy we are: when you order you pick a time or "as soon as '
        'possible", and you can then ask me "where is my order?". Shall I take your order?',
    },
    "pickup": {"es": "para recoger", "en": "for pickup"},
    "delivery": {"es": "a domicilio en {address}", "en": "delivered to {address}"},
    "dine_in": {"es": "para comer en el local", "en": "to eat in"},
}

ORDER_STATUS = {
    "pending": {"es": "pendiente de confirmar", "en": "waiting for confirmation"},
    "confirmed": {"es": "confirmado", "en": "confirmed"},
    "preparing": {"es": "en preparación", "en": "being prepared"},
    "ready": {"es": "listo", "en": "ready"},
    "completed": {"es": "entregado", "en": "completed"},
    "cancelled": {"es": "cancelado", "en": "cancelled"},
}
ALLERGENS = {
    "gluten": ("gluten", "gluten"),
    "crustaceans": ("crustáceos", "crustaceans"),
    "eggs": ("huevo", "eggs"),
    "fish": ("pescado", "fish"),
    "peanuts": ("cacahuetes", "peanuts"),
    "soybeans": ("soja", "soy"),
    "milk": ("lácteos", "milk"),
    "nuts": ("frutos secos", "nuts"),
    "celery": ("apio", "celery"),
    "mustard": ("mostaza", "mustard"),
    "sesame": ("sésamo", "sesame"),
    "sulphites": ("sulfitos", "sulphites"),
    "lupin": ("altramuces", "lupin"),
    "molluscs": ("moluscos", "molluscs"),
}
TAGS = {
    "vegetarian": ("vegetariano", "vegetarian"),
    "vegan": ("vegano", "vegan"),
    "gluten_free": ("sin gluten", "gluten-free"),
    "lactose_free": ("sin lactosa", "lactose-free"),
    "spicy": ("picante", "spicy"),
    "halal": ("halal", "halal"),
}
WEEKDAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "MXN": "$"}


# Why the order service refuses a promotion, in the customer's language.
_PROMOTION_REASONS: tuple[tuple[str, str], ...] = (
    (r"Unknown promotion code\.", "No conozco ese código."),
    (r"This promotion is not active\.", "esa promoción no está activa."),
    (r"This promotion has not started yet\.", "esa promoción aún no ha empezado."),
    (r"This promotion has ended\.", "esa promoción ya ha terminado."),
    (
        r"This promotion needs an order of at least (?P<amount>[\d.]+)\.",
        "esa promoción necesita un pedido de al menos {amount}.",
    ),
    (
        r"No item in this order qualifies for this promotion\.",
        "ningún plato del pedido entra en esa promoción.",
    ),
    (r"This promotion has been used up\.", "esa promoción se ha agotado."),
    (r"You have already used this promotion\.", "ya has usado esa promoción."),
)


_AMOUNT_AT_END = bounded(r"[\d.]+(?=\.$)")


def promotion_reason(reason: str, language: str, *, money: Callable[[Decimal], str]) -> str:
    for pattern, spanish in _PROMOTION_REASONS:
        match = bounded(pattern).fullmatch(reason.strip())
        if match is None:
            continue
        amount = match.groupdict().get("amount")
        shown = money(Decimal(amount)) if amount else ""
        if language == "es":
            return spanish.format(amount=shown)
        return _AMOUNT_AT_END.sub(shown, reason) if amount else reason
    return reason


def say(key: str, language: str, **values: Any) -> str:
    texts = TEXTS[key]
    return texts.get(language, texts["es"]).format(**values)


def money(amount: Decimal, *, currency: str, language: str) -> str:
    symbol = SYMBOLS.get(currency, currency)
    if language == "es":
        return f"{amount:.2f}".replace(".", ",") + f" {symbol}"
    return f"{symbol}{amount:.2f}" if len(symbol) == 1 else f"{amount:.2f} {symbol}"


def day_text(day: date, *, today: date, language: str) -> str:
    """A day as it reads after "mesa para 2" / "a table for 2": with its own preposition."""
    if day == today:
        return "hoy" if language == "es" else "today"
    weekday = WEEKDAYS[language if language in WEEKDAYS else "es"][day.weekday()]
    tomorrow = (day - today).days == 1
    if language == "es":
        dated = f"{weekday} {day.day}/{day.month:02d}"
        return f"mañana ({dated})" if tomorrow else f"el {dated}"
    dated = f"{weekday} {day.day} {MONTHS_EN[day.month - 1]}"
    return f"tomorrow ({dated})" if tomorrow else f"on {dated}"


def when_text(moment: datetime, *, today: date, language: str) -> str:
    joiner = " a las " if language == "es" else " at "
    return (
        day_text(moment.date(), today=today, language=language) + joiner + moment.strftime("%H:%M")
    )


def join(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    last = " y " if language == "es" else " and "
    return ", ".join(items[:-1]) + last + items[-1]


def allergen_name(code: str, language: str) -> str:
    pair = ALLERGENS.get(code, (code, code))
    return pair[0] if language == "es" else pair[1]


def tag_name(code: str, language: str, *, plural: bool = False) -> str:
    """ "vegetariano"; with `plural` as it follows "platos" ("platos vegetarianos")."""
    pair = TAGS.get(code, (code, code))
    if language != "es":
        return pair[1]
    # Adjectives agree with "platos"; phrases like "sin gluten" do not change.
    return pair[0] + "s" if plural and pair[0].endswith(("o", "e")) else pair[0]

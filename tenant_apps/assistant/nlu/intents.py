"""What the customer wants, from keyword phrases in both languages (typo tolerant).

A message may carry several intents ("hola, quiero 2 tacos"); the dialog manager decides
which one leads given the conversation's state and the entities found.
"""

from __future__ import annotations

from enum import StrEnum

from tenant_apps.assistant.nlu.fuzzy import phrase_in
from tenant_apps.assistant.nlu.normalize import tokens


class Intent(StrEnum):
    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    MENU = "menu"
    HOURS = "hours"
    ADDRESS = "address"
    PROMOTIONS = "promotions"
    HUMAN = "human"
    ORDER_STATUS = "order_status"
    BOOK = "book"
    CANCEL_BOOKING = "cancel_booking"
    CHANGE_BOOKING = "change_booking"
    # "cancelarla", "cancel it", "move it": about a booking only when the context says so.
    CANCEL_IT = "cancel_it"
    CHANGE_IT = "change_it"
    # "¿a qué hora es mi reserva?", "I booked a table": the customer's existing booking.
    MY_BOOKING = "my_booking"
    SHOW_CART = "show_cart"
    CHECKOUT = "checkout"
    ADD = "add"
    REMOVE = "remove"
    CLEAR_CART = "clear_cart"
    PRICE = "price"
    DESCRIBE = "describe"
    ALLERGENS = "allergens"
    DIETARY = "dietary"
    YES = "yes"
    NO = "no"
    CORRECTION = "correction"
    PICKUP = "pickup"
    DELIVERY = "delivery"
    DINE_IN = "dine_in"
    CAPABILITIES = "capabilities"
    # "ya no lo quiero", "forget it": the customer drops what was being proposed.
    DECLINE = "decline"


# Each intent's phrases, separated by " | " (folded: no accents, lower case).
_PHRASES: dict[Intent, str] = {
    Intent.GREET: (
        "hola | buenas | buenos dias | buenas tardes | buenas noches | hi | hello | hey | "
        "good morning | good evening | good afternoon | que tal | saludos | howdy"
    ),
    Intent.GOODBYE: (
        "adios | chao | chau | hasta luego | hasta pronto | nos vemos | bye | goodbye | "
        "see you | see ya | bye bye"
    ),
    Intent.THANKS: "gracias | muchas gracias | thanks | thank you | te lo agradezco | cheers",
    Intent.MENU: (
        "menu | carta | que tienen | que hay | que venden | que ofrecen | what do you have | "
        "what do you serve | show me the menu | the menu | categorias | categories | "
        "que me recomiendas | what do you sell | options | opciones | que puedo pedir | "
        "what can i order | whats good | what is good | what do you recommend | recommend | "
        "recommendations | recomiendas | recomiendan | recomendacion | que esta bueno | "
        "especialidad | specialty | speciality"
    ),
    Intent.HOURS: (
        "horario | horarios | a que hora abren | a que hora cierran | abren | cierran | "
        "abierto | abiertos | hours | opening hours | open | when do you open | "
        "when do you close | close | what time do you | abris | abre | cierra | cerrais | "
        "cerrado | cerrados | closed | opening"
    ),
    Intent.ADDRESS: (
        "direccion | donde estan | donde quedan | ubicacion | como llego | where are you | "
        "address | location | where is the restaurant | located | ubicados"
    ),
    Intent.PROMOTIONS: (
        "promociones | promocion | promos | promo | ofertas | oferta | descuentos | descuento | "
        "deals | deal | offers | offer | discount | discounts | specials | special offers | "
        "cupon | coupon"
    ),
    Intent.HUMAN: (
        "humano | una persona | persona real | hablar con alguien | agente | encargado | "
        "camarero | human | real person | agent | someone | talk to a person | "
        "speak to a person | operator | operador | hablar con una persona | "
        "atencion al cliente | customer service | manager | staff member | pasame con | "
        "me pasas con | comunicame con | alguien del local | alguien del restaurante | "
        "alguien de verdad | persona de verdad | un humano | una persona que | "
        "put me through | talk to someone | speak to someone | speak with someone | "
        "a human | real human | someone from the staff | the restaurant directly"
    ),
    Intent.ORDER_STATUS: (
        "donde esta mi pedido | estado de mi pedido | estado del pedido | mi pedido ya | "
        "como va mi pedido | cuanto falta | where is my order | order status | "
        "status of my order | is my order ready | my order ready | how long for my order | "
        "track my order | llega mi pedido | ya salio mi pedido | where is my food | "
        "wheres my food | donde esta mi comida | cuanto tarda | cuanto tardan | "
        "cuanto tardais | how long will it take | how long does it take | how long will it be"
    ),
    Intent.BOOK: (
        "reservar | reserva | reservacion | mesa | book | booking | reserve | reservation | "
        "table | hacer una reserva"
    ),
    Intent.CANCEL_BOOKING: (
        "cancelar la reserva | cancelar mi reserva | anular la reserva | cancelar reserva | "
        "cancel my reservation | cancel the reservation | cancel my booking | "
        "cancel the booking | cancel reservation | cancel booking | anular mi reserva | "
        "cancelar la mesa | cancel my table"
    ),
    Intent.CHANGE_BOOKING: (
        "cambiar la reserva | cambiar mi reserva | mover la reserva | mover mi reserva | "
        "modificar la reserva | modificar mi reserva | change my reservation | "
        "change the reservation | move my booking | change my booking | reschedule | "
        "move my reservation | cambiar la hora de la reserva"
    ),
    Intent.CANCEL_IT: (
        "cancelarla | cancelala | cancelarlo | cancelalo | anularla | anulala | cancel it | "
        "cancel that | cancel | cancelar | anular"
    ),
    Intent.CHANGE_IT: (
        "cambiarla | cambiala | moverla | muevela | modificarla | move it | change it | "
        "move that | push it | reschedule | cambiar | mover | move | change"
    ),
    Intent.MY_BOOKING: (
        "mi reserva | hora es la reserva | cuando es la reserva | what time is the booking | "
        "what time is the reservation | when is the booking | tengo una reserva | "
        "tengo reserva | hice una reserva | tenemos una reserva | tenemos reserva | "
        "my reservation | my booking | i booked | we booked | i have a booking | "
        "i have a reservation | we have a booking | we have a reservation | i made a booking | "
        "i made a reservation"
    ),
    Intent.SHOW_CART: (
        "mi carrito | el carrito | que llevo | que tengo en el pedido | que llevo pedido | "
        "my cart | the cart | what's in my order | what is in my order | my order so far | "
        "show my order | ver pedido | ver mi pedido | resumen | summary | cuanto llevo | "
        "cuanto es | what do i have | show cart | cuanto seria | what's the total | "
        "what is the total | el total"
    ),
    Intent.CHECKOUT: (
        "eso es todo | es todo | nada mas | ya esta | seria todo | confirmar pedido | "
        "confirmar el pedido | finalizar | terminar | that's all | that is all | that's it | "
        "that is it | checkout | check out | place the order | place my order | finish | done | "
        "listo | solo eso | nothing else | pagar | quiero pagar | eso seria"
    ),
    Intent.ADD: (
        "quiero | quisiera | queria | dame | ponme | me das | me pones | agrega | agregame | "
        "anade | anademe | sumale | tambien | i want | i would like | i'd like | can i get | "
        "can i have | could i get | add | give me | get me | i'll have | i will have | order | "
        "i'll take | i will take | ill take | me llevo | me quedo con | "
        "pedir | para mi | traeme | mandame | y una | y un | plus | another | otra | otro"
    ),
    Intent.REMOVE: (
        "quita | quitar | quitame | elimina | eliminar | borra | borrar | saca | sacame | "
        "remove | delete | take off | take out | drop | sin la | sin el | sin los | sin las | "
        "without the | no quiero | ya no quiero | i don't want | i do not want | cancel the"
    ),
    Intent.CLEAR_CART: (
        "vaciar el carrito | vacia el carrito | borrar todo | borra todo | empezar de nuevo | "
        "cancelar el pedido | cancela el pedido | cancel my order | cancel the order | "
        "cancelar mi pedido | anular el pedido | anular mi pedido | start over | "
        "empty the cart | clear the cart | clear my cart | quita todo | remove everything | "
        "borralo todo | quitalo todo | olvida todo | empieza de nuevo | volvamos a empezar | "
        "scrap all that | scrap everything | forget all that | start again | start from scratch"
    ),
    Intent.PRICE: (
        "cuanto cuesta | cuanto vale | cuanto cuestan | cuanto valen | precio | precios | "
        "cuanto sale | how much | price | prices | cost | costs"
    ),
    Intent.DESCRIBE: (
        "que lleva | que trae | que tiene | ingredientes | que es | de que es | describe | "
        "what is in | what's in | what comes with | ingredients | what is the | tell me about | "
        "como es"
    ),
    Intent.ALLERGENS: (
        "alergenos | alergeno | alergia | alergico | alergica | gluten | lactosa | "
        "frutos secos | cacahuete | mani | allergens | allergen | allergy | allergic | nuts | "
        "peanuts | dairy | lactose | celiaco | marisco | shellfish | huevo | eggs"
    ),
    Intent.DIETARY: (
        "vegetariano | vegetariana | vegano | vegana | vegetarian | vegan | sin carne | "
        "meatless | picante | pica | spicy | hot | sin gluten | gluten free | halal"
    ),
    Intent.YES: (
        "si | claro | vale | ok | dale | correcto | confirmo | confirmar | confirmado | "
        "perfecto | de acuerdo | exacto | asi es | por supuesto | yes | yeah | yea | sure | "
        "correct | confirm | go ahead | right | absolutely | of course | sounds good | "
        "perfect | great | genial | adelante | hazlo | do it | please do | si por favor | "
        "yes please | bueno | okay"
    ),
    Intent.DECLINE: (
        "no lo quiero | ya no lo quiero | ya no quiero | no quiero nada | ya no | mejor no | "
        "olvidalo | dejalo | dejalo estar | cambie de opinion | he cambiado de opinion | "
        "dont want | do not want | dont want it | not anymore | no longer | forget it | "
        "forget about it | scrap it | scrap that | changed my mind | never mind | nevermind"
    ),
    Intent.NO: "no | nel | negativo | para nada | not really | no thanks | no gracias",
    Intent.CORRECTION: (
        "mejor | en vez de | en lugar de | cambia | cambialo | cambiar a | mas bien | "
        "actually | instead | make it | change it to | rather | i meant | quise decir | "
        "perdon | sorry | corrijo | correction | wait | que sea | que sean | make the | "
        "make that | change the"
    ),
    Intent.PICKUP: (
        "collection | for collection | to collect | ill collect | para llevar | recoger | "
        "recogida | paso a recoger | lo recojo | take away | takeaway | "
        "take out | takeout | pickup | pick up | to go | collect | paso por el | recogerlo | "
        "recogerla | recogerlos | recogerlas | lo recogemos | paso a buscarlo | "
        "voy a buscarlo | pasare a recogerlo | pick it up | pick them up | collect it | "
        "come get it | come and get it"
    ),
    Intent.DELIVERY: (
        "a domicilio | domicilio | envio | enviar | enviamelo | delivery | deliver | "
        "delivered | a mi casa | to my house | to my home | traer a casa | mandar a casa"
    ),
    Intent.DINE_IN: (
        "comer aqui | comer alli | en el local | en el restaurante | para comer aqui | "
        "dine in | eat in | eat there | eat here | en mesa | for here | en la mesa"
    ),
    Intent.CAPABILITIES: (
        "que puedes hacer | ayuda | help | what can you do | como funciona | "
        "how does this work | que sabes hacer"
    ),
}
_SPLIT: dict[Intent, tuple[list[str], ...]] = {
    intent: tuple(tokens(phrase) for phrase in phrases.split(" | "))
    for intent, phrases in _PHRASES.items()
}


def classify(tokens: list[str]) -> set[Intent]:
    """Every intent whose phrases appear in the message."""
    found: set[Intent] = set()
    for intent, phrases in _SPLIT.items():
        if any(phrase_in(tokens, phrase) for phrase in phrases):
            found.add(intent)
    return found


# Said while waiting for a person: the customer takes the request back. Kept apart from the
# intents because "da igual" or "no hace falta" mean other things in the middle of an order.
_STAY_WITH_BOT: tuple[list[str], ...] = tuple(
    tokens(phrase)
    for phrase in (
        "da igual",
        "no importa",
        "no hace falta",
        "ya no hace falta",
        "olvidalo",
        "dejalo",
        "sigo contigo",
        "seguimos contigo",
        "sigo con el asistente",
        "sigo con el bot",
        "continuo contigo",
        "mejor contigo",
        "never mind",
        "nevermind",
        "no need",
        "forget it",
        "with you",
        "keep ordering",
        "carry on",
        "stay with the bot",
        "continue with the bot",
    )
)


def stays_with_bot(tokens: list[str]) -> bool:
    """The customer no longer wants a person ("da igual, sigo contigo", "never mind").

    A message that asks for a person again ("never mind the bot, a real person please") is
    not taking the request back.
    """
    if Intent.HUMAN in classify(tokens):
        return False
    return any(phrase_in(tokens, phrase) for phrase in _STAY_WITH_BOT)

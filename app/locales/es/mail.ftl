# Correos para administradores de negocios. Cada correo es un asunto y párrafos; { $link } y los demás
# marcadores { $name } los completa el portal. Mantenlos tal como están.

mail-greeting = Hola:
mail-signature = — { $partner }
mail-footer = Recibes este correo porque se indicó esta dirección al conectar una cuenta de WhatsApp Business en la página de registro de { $partner }.
mail-unsubscribe = Dejar de recibir estos correos: { $link }

mail-status-link-subject = Tu configuración de WhatsApp con { $partner }
mail-status-link-intro = Gracias por conectar tu cuenta de WhatsApp Business con { $partner }. Esta página muestra cada paso de la configuración hasta que puedas enviar mensajes de marketing, y se actualiza sola:
mail-status-link-keep = Guarda este correo: con el enlace puedes volver a la página cuando quieras.

mail-action-subject = Se requiere tu acción en tu configuración de WhatsApp
mail-action-intro = Meta necesita algo de ti antes de que puedas enviar mensajes de marketing:
mail-action-status = Tu página de estado tiene más detalles y se actualiza sola:

mail-action-payment = Agrega un método de pago válido a tu cuenta de WhatsApp Business en Meta Business Suite (Facturación y pagos).
mail-action-terms = Acepta las condiciones de Marketing Messages API que Meta te mostró en el Administrador de WhatsApp o en Meta Business Suite.
mail-action-reconnect = Tu número de WhatsApp se desconectó después de un cambio de teléfono o de un nuevo registro. Abre la app WhatsApp Business en tu teléfono y vuelve a conectarlo.
mail-action-restricted = Meta restringió esta cuenta. Revisa Business Support Home en Meta Business Suite y resuelve la restricción.

mail-ready-subject = Ya puedes enviar mensajes de marketing por WhatsApp
mail-ready-intro = Tu cuenta de WhatsApp Business { $account } está lista: ya puedes enviar mensajes de marketing a través de { $partner }.
mail-ready-status = Tu página de estado:

# Emails to business admins. Each email is a subject and paragraphs; { $link } and the other
# { $name } placeholders are filled in by the portal. Keep them as they are.

mail-greeting = Hello,
mail-signature = — { $partner }
mail-footer = You get this email because this address was given when connecting a WhatsApp Business Account on { $partner }'s signup page.
mail-unsubscribe = Stop these emails: { $link }

mail-status-link-subject = Your WhatsApp setup with { $partner }
mail-status-link-intro = Thank you for connecting your WhatsApp Business Account with { $partner }. This page shows each step of the setup until you can send marketing messages, and updates by itself:
mail-status-link-keep = Keep this email: the link is your way back to the page.

mail-action-subject = Action needed for your WhatsApp setup
mail-action-intro = Meta needs something from you before you can send marketing messages:
mail-action-status = Your status page says more and updates by itself:

mail-action-payment = Add a valid payment method to your WhatsApp Business Account in Meta Business Suite (Billing & payments).
mail-action-terms = Accept the Marketing Messages API terms that Meta showed you in WhatsApp Manager or Meta Business Suite.
mail-action-reconnect = Your WhatsApp number was disconnected after a change of phone or a new registration. Open the WhatsApp Business app on your phone and reconnect it.
mail-action-restricted = Meta restricted this account. Check Business Support Home in Meta Business Suite and resolve the restriction.

mail-ready-subject = You're ready to send WhatsApp marketing messages
mail-ready-intro = Your WhatsApp Business Account { $account } is ready: you can now send marketing messages through { $partner }.
mail-ready-status = Your status page:

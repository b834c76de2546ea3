# Las páginas públicas para administradores de negocios: la página de registro, el rechazo de un enlace de registro, la página
# de estado y los textos de public/signup.js y public/status.js.
# Quien traduce edita el texto después de "=". Mantén cada { $name } tal como está: la página lo completa.
# Mantén "Meta", "Facebook", "WhatsApp", "Marketing Messages API" y "Meta Business Suite" como
# Meta los escribe en la interfaz de Meta en tu idioma.

language-label = Idioma

## Página de registro

signup-title = Conectar WhatsApp
signup-sandbox-banner = Modo de prueba: este portal simula a Meta. No se usa ninguna cuenta real de Facebook.
signup-unavailable = El registro no está disponible en este momento: { $reason }
signup-partner-fallback = Tu socio de WhatsApp
signup-heading = Envía mensajes de marketing por WhatsApp con nosotros
signup-lead = Conecta tu cuenta de WhatsApp Business en pocos clics. Inicias sesión con Facebook en una ventana de Meta; nunca vemos tu contraseña.
signup-email-label = Tu correo electrónico (opcional)
signup-email-hint = Te enviamos el enlace a la página de estado de esta configuración y te avisamos cuando Meta necesite algo de ti.
signup-connect = Conectar con Facebook
signup-loading = Cargando el inicio de sesión de Facebook…
signup-agree-heading = Lo que aceptas
signup-agree-share = Compartes tu cuenta de WhatsApp Business con { $partner }, que envía mensajes en tu nombre.
signup-agree-terms = En la ventana de Meta, aceptas las condiciones de Marketing Messages API para WhatsApp de Meta.
signup-agree-billing = Meta cobra por cada mensaje de marketing entregado, con cargo al método de pago de tu cuenta.
signup-agree-remove = Puedes quitarnos el acceso en cualquier momento desde Meta Business Suite.
signup-next-heading = Qué pasa después
signup-next-window = Se abre la ventana de Meta: elige o crea tu negocio, tu cuenta y tu número.
signup-next-connect = Conectamos tu cuenta y activamos las actualizaciones de Meta.
signup-next-status = Una página de estado te muestra cada paso hasta que puedas enviar mensajes.

## Un enlace de registro que no se puede usar

link-title = Enlace de registro
link-refused-heading = Este enlace no se puede usar
link-refused-invalid = Este enlace de registro no es válido. Revisa que lo hayas copiado completo o pídele uno nuevo a tu socio.
link-refused-nothing-shared = No se compartió nada con nadie: tu cuenta de WhatsApp sigue igual que antes.

## Mensajes del botón de registro (public/signup.js)

js-ready = Todo listo. Presiona el botón para abrir la ventana de Meta.
js-rate-limited-wait = Demasiados intentos desde tu red. Volveremos a intentarlo en { $seconds } s…
js-rate-limited = Demasiados intentos desde tu red. Vuelve a intentarlo en { $seconds } s.
js-session-failed = No pudimos iniciar una sesión de registro: { $reason } Vuelve a cargar la página para intentarlo de nuevo.
js-sdk-slow = El inicio de sesión de Facebook está tardando en cargar. Revisa tu conexión o tus bloqueadores de contenido y vuelve a cargar la página.
js-sdk-start-failed = No se pudo iniciar el inicio de sesión de Facebook: { $reason }
js-sdk-missing = No se pudo cargar el inicio de sesión de Facebook. Revisa tu conexión o permite esta página en tu bloqueador de contenido y vuelve a cargarla.
js-cancelled = Cerraste la ventana de Meta en el paso { $step }. Presiona el botón para intentarlo de nuevo.
js-meta-error = Meta informó un problema: { $reason } Presiona el botón para intentarlo de nuevo.
js-meta-done = La parte de Meta está lista. Conectando tu cuenta…
js-popup-closed = La ventana de Meta se cerró antes de terminar o tu navegador la bloqueó. Permite las ventanas emergentes en esta página y vuelve a presionar el botón.
js-connecting = Conectando tu cuenta con Meta…
js-connected = Conectada. Abriendo tu página de estado…
js-window-open = La ventana de Meta está abierta. Completa los pasos allí.
js-unreachable = No se pudo conectar con el servidor (HTTP { $status }).
js-email-invalid = Esta dirección de correo no parece correcta. Corrígela o deja el campo vacío.

## Página de estado

status-title = Tu configuración de WhatsApp
status-loading = Cargando tu estado…
status-not-found-heading = No se encontró la página de estado
status-not-found-body = Revisa el enlace que te dieron o vuelve a empezar desde la página de registro.
status-error-heading = No se pudo cargar tu estado
status-eyebrow = Tu configuración de WhatsApp
status-phone = Teléfono: { $phones }
status-updates-itself = Esta página se actualiza sola. Puedes cerrarla y volver más tarde.
status-connection-lost = Se perdió la conexión. Esta página se volverá a actualizar en cuanto vuelva.

badge-done = Listo
badge-working = En curso
badge-waiting = Esperando a Meta
badge-action-needed = Requiere tu acción
badge-failed = Detenido
badge-pending = Sin iniciar

headline-ready = Ya puedes enviar mensajes de marketing
headline-problem = Hubo un problema — mira los detalles abajo
headline-action = Se requiere tu acción
headline-working = Configurando tu cuenta…

## Líneas de la lista de verificación del estado

check-connected = Conectada a Meta
check-webhooks = Actualizaciones de Meta activadas
check-number = Número de teléfono listo
check-terms = Condiciones de mensajes de marketing firmadas
check-ready = Lista para enviar mensajes de marketing

step-in-progress = En curso…
step-retrying = Los servidores de Meta están ocupados; lo volvemos a intentar automáticamente.
step-waiting = Esperando a Meta.
step-failed = Detenido: { $reason }. Nuestro equipo ya lo sabe y lo retomará.

connected-done = Tu cuenta de WhatsApp Business { $account } está conectada.
connected-working = Conectando con Meta…
connected-failed = La conexión falló. Vuelve a conectarte.
connected-cancelled = Se cerró la ventana de registro. Abre la página de registro y vuelve a conectarte.
connected-cancelled-at = Se cerró la ventana de registro en el paso { $step }. Abre la página de registro y vuelve a conectarte.
connected-pending = Todavía sin conectar.

connection-offboarded = Tu número de WhatsApp se desconectó de nosotros después de un cambio de teléfono o de un nuevo registro del número. Abre la app WhatsApp Business en tu teléfono y vuelve a conectarlo; la configuración seguirá sola en cuanto vuelva a estar conectado.
connection-removed = Tu cuenta de WhatsApp Business ya no está compartida con nosotros, así que no podemos enviar mensajes de marketing por ti. Para empezar de nuevo, vuelve a conectar tu cuenta desde la página de registro.
connection-uninstalled = Se quitó el acceso de nuestra app a tu cuenta de WhatsApp Business, así que no podemos enviar mensajes por ti. Para empezar de nuevo, vuelve a conectar tu cuenta desde la página de registro.
connection-deleted = Esta cuenta de WhatsApp Business se eliminó. Para usar mensajes de marketing, conecta otra cuenta desde la página de registro.

webhooks-pending = Activaremos las actualizaciones de Meta para tu cuenta.
webhooks-done = Meta nos envía las actualizaciones de tu cuenta.

number-pending = Registraremos tu número de teléfono en la API de la nube.
number-done = Tu número de teléfono está registrado en la API de la nube.
number-limit = Meta permite 10 registros de un número cada 72 horas y este número llegó al límite. Lo volveremos a intentar cuando el límite se restablezca.
number-none = No se compartió ningún número de teléfono. Agrega uno a tu cuenta de WhatsApp Business en el Administrador de WhatsApp.
number-coexistence = Tu número sigue en la app WhatsApp Business (coexistencia): no hace falta registrarlo.

terms-done = Meta lo confirmó: aceptaste las condiciones de Marketing Messages API.
terms-waiting = Esperando a que Meta confirme las condiciones de mensajes de marketing.
terms-pending = Cuando te conectes.

guidance-on-behalf-of = Un socio administra esta cuenta en tu nombre (on-behalf-of). Pídenos que pasemos su propiedad a tu negocio; así podrá cumplir los requisitos.
guidance-restricted = Meta restringió o desactivó esta cuenta. Revisa Business Support Home en Meta Business Suite y resuelve la restricción.
guidance-country = Marketing Messages API todavía no está disponible para negocios de tu país.
guidance-business-app = El número de esta cuenta solo se usa en la app WhatsApp Business. Conéctalo a la API de la nube (o usa la coexistencia) para cumplir los requisitos.
guidance-payment-method = Agrega un método de pago válido a tu cuenta de WhatsApp Business en Meta Business Suite (Facturación y pagos).
guidance-internal-setup = Meta está terminando de configurar tu cuenta. Esto suele tardar unos minutos; no tienes que hacer nada.
guidance-eligible = Tu cuenta cumple los requisitos. Esperando a que Meta confirme las condiciones de mensajes de marketing.

ready-done = Ya puedes enviar mensajes de marketing a través de nosotros.
ready-restricted = Meta informó una restricción en esta cuenta. Revisa Business Support Home.
ready-pending = En cuanto terminen los pasos anteriores.

## La página que abre un enlace para cancelar la suscripción

unsubscribe-title = Preferencias de correo
unsubscribe-confirm = Dejar de recibir estos correos
unsubscribe-heading = Ya no recibirás correos sobre esta configuración
unsubscribe-body = Dejamos de enviar correos a { $email } sobre esta configuración de WhatsApp. Tu página de estado sigue mostrando cada paso.
unsubscribe-invalid = Este enlace para cancelar la suscripción no es válido. Revisa que lo hayas abierto completo.

## Por qué no se pudo continuar con un registro (se muestra debajo del botón o en la página de un enlace de registro)

error-unknown-session = No reconocemos esta sesión de registro. Vuelve a cargar la página y empieza de nuevo.
error-already-used = Este registro ya se completó. Vuelve a cargar la página para empezar uno nuevo.
error-malformed-event = No se pudo leer el evento de la ventana de registro.
error-expired = Esta sesión de registro venció (las sesiones duran 24 horas). Vuelve a cargar la página para empezar de nuevo.
error-too-many-events = Esta sesión de registro ya registró todos los eventos permitidos. Vuelve a cargar la página para empezar de nuevo.
error-rate-limited = Demasiados intentos desde tu red. Vuelve a intentarlo en { $seconds } s.
error-code-expired = La autorización de Meta venció antes de que pudiéramos usarla (dura unos 30 segundos). Vuelve a conectarte.
error-code-rejected = Meta no aceptó la autorización ({ $reason }). Vuelve a conectarte.
error-missing-permissions = No otorgaste los permisos que necesitamos: { $reason }. Vuelve a conectarte y deja esos permisos seleccionados.
error-no-waba = No se compartió ninguna cuenta de WhatsApp Business con nosotros. Vuelve a conectarte y selecciona o crea una.
error-meta-unavailable = No podemos comunicarnos con Meta en este momento. Vuelve a intentarlo en un minuto.
error-bad-email = Esta dirección de correo no parece correcta. Corrígela o deja el campo vacío.
error-internal = Algo salió mal de nuestro lado; no se perdió nada. Vuelve a intentarlo.
link-refused-expired = Este enlace de registro venció. Pídele uno nuevo a tu socio.
link-refused-revoked = Tu socio retiró este enlace de registro. Pídele uno nuevo.
link-refused-used = Este enlace de registro ya se usó para conectar una cuenta. Si necesitas conectar otra, pídele uno nuevo a tu socio.
footer-public = Tu cuenta de WhatsApp Business sigue siendo tuya: puedes quitarnos el acceso en cualquier momento desde Meta Business Suite.

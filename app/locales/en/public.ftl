# The public pages for business admins: the signup page, a signup link's refusal, the status
# page, and the texts of public/signup.js and public/status.js.
# A translator edits the text after "=". Keep every { $name } as it is: the page fills it in.
# Keep "Meta", "Facebook", "WhatsApp", "Marketing Messages API" and "Meta Business Suite" as
# Meta spells them in your language's Meta interface.

language-label = Language

## Signup page

signup-title = Connect WhatsApp
signup-sandbox-banner = Sandbox mode: Meta is simulated by this portal. No real Facebook account is used.
signup-unavailable = Signup is not available right now: { $reason }
signup-partner-fallback = Your WhatsApp partner
signup-heading = Send WhatsApp marketing messages with us
signup-lead = Connect your WhatsApp Business Account in a few clicks. You sign in with Facebook in a window from Meta; we never see your password.
signup-email-label = Your email (optional)
signup-email-hint = We send you the link to this setup's status page, and tell you when Meta needs something from you.
signup-connect = Connect with Facebook
signup-loading = Loading Facebook sign-in…
signup-agree-heading = What you agree to
signup-agree-share = You share your WhatsApp Business Account with { $partner }, who sends messages on your behalf.
signup-agree-terms = You accept Meta's Marketing Messages API for WhatsApp terms in Meta's window.
signup-agree-billing = Meta charges per delivered marketing message, billed to your account's payment method.
signup-agree-remove = You can remove our access at any time in Meta Business Suite.
signup-next-heading = What happens next
signup-next-window = Meta's window opens: choose or create your business, account and number.
signup-next-connect = We connect your account and switch on updates from Meta.
signup-next-status = A status page shows each step until you're ready to send.

## A signup link that cannot be used

link-title = Signup link
link-refused-heading = This link cannot be used
link-refused-invalid = This signup link is not valid. Check that you copied all of it, or ask your partner for a new one.
link-refused-nothing-shared = Nothing was shared with anyone: your WhatsApp account is as it was.

## Messages of the signup button (public/signup.js)

js-ready = Ready. Press the button to open Meta's window.
js-rate-limited-wait = Too many attempts from your network. Trying again in { $seconds } s…
js-rate-limited = Too many attempts from your network. Please try again in { $seconds } s.
js-session-failed = We could not start a signup session: { $reason } Reload the page to try again.
js-sdk-slow = Facebook sign-in is taking long to load. Check your connection or content blockers, then reload the page.
js-sdk-start-failed = Facebook sign-in could not start: { $reason }
js-sdk-missing = Facebook sign-in could not be loaded. Check your connection or allow this page in your content blocker, then reload.
js-cancelled = You closed Meta's window at the step { $step }. Press the button to try again.
js-meta-error = Meta reported a problem: { $reason } Press the button to try again.
js-meta-done = Meta's part is done. Connecting your account…
js-popup-closed = Meta's window was closed before finishing, or your browser blocked it. Allow pop-ups for this page and press the button again.
js-connecting = Connecting your account with Meta…
js-connected = Connected. Opening your status page…
js-window-open = Meta's window is open. Finish the steps there.
js-unreachable = The server could not be reached (HTTP { $status }).
js-email-invalid = This email address does not look right. Correct it or leave the field empty.

## Status page

status-title = Your WhatsApp setup
status-loading = Loading your status…
status-not-found-heading = Status page not found
status-not-found-body = Check the link you were given, or start again from the signup page.
status-error-heading = Your status could not be loaded
status-eyebrow = Your WhatsApp setup
status-phone = Phone: { $phones }
status-updates-itself = This page updates by itself. You can close it and come back later.
status-connection-lost = Connection lost. This page will update again as soon as it is back.

badge-done = Done
badge-working = In progress
badge-waiting = Waiting for Meta
badge-action-needed = Your action needed
badge-failed = Stopped
badge-pending = Not started

headline-ready = You're ready to send marketing messages
headline-problem = We hit a problem — details below
headline-action = Your action is needed
headline-working = Setting up your account…

## Status checklist lines

check-connected = Connected to Meta
check-webhooks = Updates from Meta switched on
check-number = Phone number ready
check-terms = Marketing Messages terms signed
check-ready = Ready to send marketing messages

step-in-progress = In progress…
step-retrying = Meta is busy; we retry automatically.
step-waiting = Waiting for Meta.
step-failed = Stopped: { $reason }. Our team sees this and will resume it.

connected-done = Your WhatsApp Business Account { $account } is connected.
connected-working = Connecting to Meta…
connected-failed = The connection failed. Please connect again.
connected-cancelled = The signup window was closed. Open the signup page and connect again.
connected-cancelled-at = The signup window was closed at step { $step }. Open the signup page and connect again.
connected-pending = Not connected yet.

connection-offboarded = Your WhatsApp number was disconnected from us after a change of phone or a new registration of the number. Open the WhatsApp Business app on your phone and reconnect it; setup continues by itself once it is back.
connection-removed = Your WhatsApp Business account is no longer shared with us, so we cannot send marketing messages for you. To start again, connect your account once more from the signup page.
connection-uninstalled = Our app's access to your WhatsApp Business account was removed, so we cannot send messages for you. To start again, connect your account once more from the signup page.
connection-deleted = This WhatsApp Business account was deleted. To use marketing messages, connect another account from the signup page.

webhooks-pending = We will switch on updates from Meta for your account.
webhooks-done = Meta sends your account's updates to us.

number-pending = We will register your phone number for the Cloud API.
number-done = Your phone number is registered for the Cloud API.
number-limit = Meta allows 10 registrations of a number per 72 hours and this number reached it. We will retry when the limit resets.
number-none = No phone number was shared. Add one to your WhatsApp Business Account in WhatsApp Manager.
number-coexistence = Your number stays in the WhatsApp Business app (coexistence): no registration needed.

terms-done = Meta confirmed: you accepted the Marketing Messages API terms.
terms-waiting = Waiting for Meta to confirm the Marketing Messages terms.
terms-pending = After you connect.

guidance-on-behalf-of = This account is managed on your behalf by a partner (on-behalf-of). Ask us to move its ownership to your business; then it becomes eligible.
guidance-restricted = Meta has restricted or deactivated this account. Check Business Support Home in Meta Business Suite and resolve the restriction.
guidance-country = Marketing Messages API is not yet available for businesses in your country.
guidance-business-app = This account's number is used only in the WhatsApp Business app. Connect it to the Cloud API (or use coexistence) to become eligible.
guidance-payment-method = Add a valid payment method to your WhatsApp Business Account in Meta Business Suite (Billing & payments).
guidance-internal-setup = Meta is finishing its setup of your account. This usually takes a few minutes; nothing to do.
guidance-eligible = Your account is eligible. Waiting for Meta to confirm the Marketing Messages terms.

ready-done = You can send marketing messages through us.
ready-restricted = Meta reported a restriction on this account. Check Business Support Home.
ready-pending = As soon as the steps above are done.

## The page an unsubscribe link opens

unsubscribe-title = Email preferences
unsubscribe-confirm = Stop these emails
unsubscribe-heading = You will get no more emails about this setup
unsubscribe-body = We stopped the emails to { $email } about this WhatsApp setup. Your status page still shows each step.
unsubscribe-invalid = This unsubscribe link is not valid. Check that you opened all of it.

## Why a signup could not go on (shown under the button, or on a signup link's page)

error-unknown-session = This signup session is not known. Reload the page and start again.
error-already-used = This signup was already completed. Reload the page to start a new one.
error-malformed-event = The event from the signup window could not be read.
error-expired = This signup session expired (sessions last 24 hours). Reload the page to start again.
error-too-many-events = This signup session has recorded all the events it may. Reload the page to start again.
error-rate-limited = Too many attempts from your network. Please try again in { $seconds } s.
error-code-expired = Meta's authorization expired before we could use it (it lives about 30 seconds). Please connect again.
error-code-rejected = Meta did not accept the authorization ({ $reason }). Please connect again.
error-missing-permissions = You did not grant the permissions we need: { $reason }. Please connect again and keep them selected.
error-no-waba = No WhatsApp Business Account was shared with us. Please connect again and select or create one.
error-meta-unavailable = Meta is not reachable right now. Please try again in a minute.
error-bad-email = This email address does not look right. Correct it or leave the field empty.
error-internal = Something went wrong on our side; nothing was lost. Please try again.
link-refused-expired = This signup link has expired. Ask your partner for a new one.
link-refused-revoked = This signup link was withdrawn by your partner. Ask them for a new one.
link-refused-used = This signup link was already used to connect an account. Ask your partner for a new one if you need to connect another.
footer-public = Your WhatsApp Business Account stays yours: you can remove our access at any time in Meta Business Suite.

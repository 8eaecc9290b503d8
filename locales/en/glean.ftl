# Glean's texts in English (the default language). Texts are Telegram HTML:
# variables holding what a user typed arrive escaped. Every message here
# must exist in every locale (tests/it/locales.rs checks it).

language-name = English

## General

welcome =
    👋 <b>Welcome to Glean!</b>
    Shops near you sell surplus food at a discount. Buy it here, pick it up in the pickup window.
    See what's on: /deals

    Run a farm, bakery, grocery or café? /register your business and post deals.
    /help lists everything I can do.
help-everyone =
    <b>What I can do</b>
    /deals – deals near you
    /orders – your orders
    /following – shops you follow
    /alerts – deal alerts near you, quiet hours
    /privacy – your data: download it, delete it, forget your location
    /impact – the meals you saved
    Type @ and my name in any chat to share a deal there.
    /language – choose your language
    /start – welcome
    /help – this list
    /cancel – leave what you're doing

    <b>For businesses</b>
    /register – register your business
help-owner =
    /newoffer – post a new deal
    /publish – publish your draft deal
    /venues – your pickup places
    /myoffers – manage your offers
    /pause &lt;id&gt;, /edit &lt;id&gt; – pause or edit an offer
    /pickup &lt;code&gt; – confirm a customer's pickup
    /sales – your sales, balance and monthly statements
    /payouts – get paid by card (Stripe)
    /apikey – an API key for your statements
    /impact – the meals you saved
help-admin =
    <b>For admins</b>
    /pending – businesses waiting for verification
    /verify &lt;id&gt; – verify a business
    /reject &lt;id&gt; &lt;reason&gt; – reject a business
    /suspend &lt;id&gt; – suspend a business
    /unsuspend &lt;id&gt; – lift a suspension
    /charity invite &lt;name&gt;, &lt;area&gt; – invite a charity; /charity – the list
    /impact – everything Glean saved
    /privacy_request &lt;user id&gt; export|delete – someone's data, at their request
    /finance – margin, balances, failed payouts
    /fee &lt;id&gt; &lt;percent&gt; [fixed] – a business's fee
    /adjust &lt;id&gt; &lt;amount&gt; &lt;reason&gt; – record a payment or correction
unknown-command = I don't know that command. /help lists what I can do.
dont-understand = I didn't get that. /help lists what I can do.
nothing-to-cancel = There's nothing to cancel.
cancelled = Cancelled. Nothing was saved.
busy-in-dialogue = You're in the middle of something. Finish it, or send /cancel to leave it first.
something-went-wrong = Sorry, something went wrong on our side. Please try again in a moment.
stale-button = This button is from an earlier step; please use the latest message.
unknown-button = This button no longer works.
admins-only = Sorry, that's for Glean's admins only.
text-expected = Please answer with text.
back = ⬅️ Back
cancel = ✖️ Cancel
skip = Skip ➡️
slow-down = 🐢 Easy there! You're going a bit fast; give me a second.
problem = ⚠️ { $problem }
saved = ✅ Saved.

## Languages

language-choose = 🌐 <b>Which language should I speak?</b>
language-set = ✅ I'll speak English from now on.
language-unsupported = I don't speak “{ $code }” yet. I can speak: { $supported }.
    Send /language and tap one.

## Command menu (plain text, at most 256 characters each)

cmd-deals = Deals near you
cmd-orders = Your orders
cmd-following = Shops you follow
cmd-alerts = Deal alerts near you
cmd-language = Choose your language
cmd-start = Welcome
cmd-help = What I can do
cmd-register = Register your business
cmd-newoffer = Post a new deal
cmd-publish = Publish your draft deal
cmd-venues = Your pickup places
cmd-myoffers = Manage your offers
cmd-pickup = Confirm a pickup: /pickup CODE
cmd-cancel = Leave what you're doing
cmd-pending = Businesses waiting for verification
cmd-verify = Verify a business: /verify <id>
cmd-reject = Reject: /reject <id> <reason>
cmd-suspend = Suspend a business: /suspend <id>
cmd-unsuspend = Lift a suspension: /unsuspend <id>
cmd-refunds = Failed refunds
cmd-refund-retry = Try a failed refund again: /refund_retry <order id>
cmd-refund-settled = A failed refund was settled outside Stripe: /refund_settled <order id>
cmd-sales = Your sales, balance and statements
cmd-payouts = Get paid by card
cmd-apikey = An API key for your statements (/apikey revoke)
cmd-finance = Money: margin, balances, failed payouts
cmd-fee = A business's fee: /fee <id> <percent> [fixed]
cmd-adjust = Record a payment or correction: /adjust <id> <amount> <reason>

## Dates

day-today = Today
day-tomorrow = Tomorrow
weekday = { $n ->
    [1] Mon
    [2] Tue
    [3] Wed
    [4] Thu
    [5] Fri
    [6] Sat
   *[7] Sun
}
month = { $n ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
}
date-short = { $weekday } { $day } { $month }
date-long = { $weekday } { $day } { $month } { $year }
distance-m = { $m } m
distance-km = { $km } km

## Registration

reg-name =
    Let's register your business. <b>What's its name?</b>
    (You can /cancel any time.)
reg-phone = <b>A contact phone number?</b> Tap the button to share yours, or type another.
reg-share-phone = 📱 Share my number
reg-address = <b>Where do customers pick up?</b> Type the address (street, number, city).
reg-location = <b>Send the pickup location</b> with the button (or 📎 → Location), or type coordinates like 52.5200, 13.4050.
share-location = 📍 Send location
reg-timezone =
    <b>Which time zone are you in?</b> Pickup times are shown in it.
    Tap one, or type its name (like Europe/Berlin). Default: { $default }
reg-timezone-unknown = I don't know that time zone. Type its IANA name, like Europe/Berlin or America/New_York.
reg-currency = <b>Which currency do you sell in?</b> Tap one, or type its code (like EUR).
reg-done =
    ✅ Thanks! <b>{ $name }</b> is registered and waiting for verification.
    I'll message you as soon as an admin has looked at it.
admin-new-business =
    🆕 <b>Business #{ $id } to verify</b>
    { $name }
    📞 { $phone }
    📍 { $address }
    👤 { $owner }
approve = ✅ Approve
approved-toast = Approved
reject = ❌ Reject
approved-note = ✅ Approved by { $admin }
rejected-note = ❌ Rejected by { $admin }: { $reason }
owner-verified = 🎉 <b>{ $name }</b> is verified! Post your first deal with /newoffer.
owner-rejected =
    Sorry, <b>{ $name }</b> wasn't approved: { $reason }
    You can /register again with corrected details.
owner-suspended = ⚠️ <b>{ $name }</b> has been suspended by Glean's admins; its deals can't be published for now.
owner-unsuspended = ✅ <b>{ $name }</b> is active again. /newoffer to post a deal.
ask-reject-reason = Why is <b>{ $name }</b> rejected? One line; the owner will see it.
no-reason-given = no reason given
already = { $name } is already { $status }.
business-now = { $name } is now { $status }.
business-status = { $status ->
    [pending] waiting for verification
    [verified] verified
    [rejected] rejected
    [suspended] suspended
   *[other] { $status }
}
no-pending = No businesses are waiting for verification.
usage-verify = Usage: /verify &lt;business id&gt;
usage-reject = Usage: /reject &lt;business id&gt; &lt;reason&gt;
usage-suspend = Usage: /suspend &lt;business id&gt;
usage-unsuspend = Usage: /unsuspend &lt;business id&gt;
no-business = There's no business #{ $id }.

## Offers

need-verified-business = You need a verified business to post deals. /register one; I'll tell you when it's verified.
pending-business = Your business is still waiting for verification. I'll tell you when it's done.
offer-venue = <b>Which pickup place is this deal for?</b>
offer-title =
    Let's post a deal. <b>What's its title?</b> (like "Bread bag" or "Veg box")
    (You can /cancel any time.)
offer-description = <b>A short description?</b> What's in it, allergens, anything to know. Or skip.
offer-item-first = <b>What's the first item?</b> Its name, like "Sourdough loaf".
offer-item-next = <b>Item { $n }: its name?</b>
offer-item-unit = <b>What's one unit?</b> Like "1 loaf", "2 kg box" or "bag of 4".
offer-item-original = <b>Its usual price</b> per unit, in { $currency }? Like 5.00
offer-item-deal = <b>Your deal price</b> in { $currency }? At most the usual { $original }.
offer-item-quantity = <b>How many units</b> do you have?
offer-items-so-far =
    Items so far:
    { $lines }

    Add another item, or continue?
offer-item-line = • { $name } ({ $unit }): { $deal } instead of { $original }, { $quantity ->
    [one] 1 unit
   *[other] { $quantity } units
}
add-item = ➕ Add another item
items-done = Continue ➡️
offer-window =
    <b>When can customers pick it up?</b> Times are in { $tz }.
    For example: <code>today 18:00-20:00</code>, <code>tomorrow 9-11</code> or <code>2026-12-01 18:00-20:00</code>
offer-photo = <b>Send a photo</b> of the food (as a photo or as a file: JPEG, PNG or WebP, up to 10 MB). Or skip.
photo-working = Got it, preparing your photo…
photo-expected = Please send a photo (or a JPEG, PNG or WebP file), or tap Skip.
preview-intro = 👀 <b>Preview</b> – this is how customers will see your deal:
publish = ✅ Publish
edit = ✏️ Edit
discard = 🗑 Discard
edit-what = What would you like to change?
edit-field-title = Title
edit-field-description = Description
edit-field-items = Items
edit-field-window = Pickup time
edit-field-photo = Photo
edit-field-drops = Price drops
back-to-preview = ⬅️ Back to preview
discarded = 🗑 Draft discarded.
published =
    🚀 <b>{ $title }</b> is live! Customers can find it in /deals.
    Share it: { $link }
published-mark = ✅ Published
no-draft = You have no draft deal. Start one with /newoffer.
publish-refused = I couldn't publish it: { $reason }.
window-ended-send-new = The pickup window has already ended. Please send a new one.
too-many-items = That's the most items one deal can have.

## Venues

venues-list =
    <b>Your pickup places</b>
    { $lines }
add-venue = ➕ Add a pickup place
venue-name = <b>What do you call this pickup place?</b> Like "Market stall" or "Main shop".
venue-added = ✅ Pickup place <b>{ $name }</b> added. /newoffer can use it now.
location-saved = 📍 Thanks, I saved your location.

## Deep links

offer-not-found = I can't find that deal. It may have been removed.
business-not-found = I can't find that business.
business-profile = <b>{ $name }</b>
    { $deals ->
        [0] No deals right now. Check back soon!
        [one] 1 deal right now:
       *[other] { $deals } deals right now:
    }
venue-location-button = 📍 Show on map

## The offer card and deal lists

card-sold-out = sold out
card-left = { $n } left
card-pickup = 🕒 Pickup: { $window } ({ $tz })
card-from = from <b>{ $price }</b>
price-from = from { $price }
offer-unavailable = { $status ->
    [draft] This deal isn't published yet.
    [paused] This deal is paused by the shop right now.
    [sold_out] Sorry, this deal is sold out.
    [expired] This deal has ended: its pickup window is over.
   *[withdrawn] This deal was withdrawn by the shop.
}
offer-status = { $status ->
    [draft] draft
    [active] active
    [paused] paused
    [sold_out] sold out
    [expired] ended
   *[withdrawn] withdrawn
}
deals-empty = No deals right now. Check back soon!
deals-header = { $nearest ->
    [yes] 🔥 <b>Deals near you</b>, nearest first
   *[no] 🔥 <b>Deals</b>, freshest and most popular first
}
deals-page = { $header } · page { $page }/{ $pages }
share-location-hint = 📍 Share your location to see the nearest deals first.
previous = ◀️ Previous
next = Next ▶️
buy = 🛒 Buy
list-expired = This list is out of date; here's a fresh one.

## Buying

choose-item = <b>Which item?</b>
choose-quantity = <b>How many?</b> { $name } at { $price } each ({ $left } left)
reserved-pay =
    🧺 <b>Order #{ $id } reserved</b> for { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }:
    { $lines }
    Total <b>{ $total }</b>

    Pay now to confirm it.
pay-button = 💳 Pay { $total }
cancel-reservation = ✖️ Cancel reservation
reserved-toast = Reserved!
sold-out-now = Sorry, not enough left of that. Nothing was reserved.
payment-unavailable = Sorry, payments aren't working right now. Nothing was reserved or charged; please try again in a minute.
order-confirmed =
    ✅ <b>Order #{ $id } confirmed!</b>
    Pickup code: <b>{ $code }</b>
    { $lines }
    { $at_pickup ->
        [yes] Pay { $total } at pickup.
       *[no] Paid { $total }.
    }

    🕒 { $window }
    📍 { $venue }, { $address }

    Show the code at pickup. { $left } left of this deal.
order-line = { $quantity } × { $name } ({ $price })
order-item = item
business-new-order =
    🛒 <b>New order #{ $id }</b> for { $title } ({ $at_pickup ->
        [yes] pays at pickup
       *[no] paid
    }):
    { $lines }
    Pickup code: <b>{ $code }</b>
    { $left } left.
business-order-cancelled = ↩️ Order #{ $id } (code { $code }) was cancelled by the customer; its units are back in stock.
reservation-lapsed = ⌛ Your reservation lapsed before it was paid, so the food went back on sale. Nothing was charged.
paid-too-late = Sorry, your payment arrived after your reservation lapsed and the deal is gone. Your { $total } is being refunded in full.
refunded = 💸 Order #{ $id }: your refund of { $total } is done. Depending on your bank it shows on your card within 5–10 days.
already-withdrawn = 🗑 <b>{ $title }</b> is withdrawn; its customers were told.
order-is = Order #{ $id } is { $status }.
order-status = { $status ->
    [reserved] reserved, awaiting payment
    [confirmed] confirmed, pay at pickup
    [paid] paid
    [picked_up] picked up
    [expired] expired (not paid in time)
    [cancelled] cancelled
    [refund_pending] cancelled, refund on its way
    [refunded] refunded
    [refund_failed] refund failed, we're on it
    [refund_settled] refunded outside Stripe
    [no_show] not picked up
   *[other] { $status }
}
paid-too-late-order = Sorry, your payment for order #{ $id } arrived after your reservation lapsed and the deal is gone. Your { $total } is being refunded in full.
refund-failed = ⚠️ Order #{ $id }: the refund of { $total } to your card didn't go through. We've told our team and will settle it with you; you don't need to do anything.
refund-failed-staff =
    ⚠️ <b>Refund failed</b> for order #{ $id }: { $total } to customer { $customer }.
    Reason: { $reason }
    Admins: <code>/refund_retry { $id }</code> tries again; <code>/refund_settled { $id }</code> records it settled outside Stripe.
refund-reason-unknown = not given
refund-retried = 🔁 Order #{ $id }: the refund is queued again (a new attempt at Stripe).
refund-settled = ✅ Order #{ $id }: the failed refund is recorded as settled outside Stripe.
refund-usage = Usage: /refund_retry &lt;order id&gt; or /refund_settled &lt;order id&gt; (for an order whose refund failed).
failed-refund-line = #{ $id } · { $total } · customer { $customer } · { $reason }
owner-id = id { $id }
no-failed-refunds = No failed refunds. 👍
failed-refunds =
    <b>Failed refunds</b>
    { $list }
my-order-code = Pickup code <b>{ $code }</b> · 🕒 { $window }
no-orders = You have no orders yet. Find a deal with /deals.
orders-header = 🧾 <b>Your orders</b>
cancel-order-button = Cancel #{ $id }
confirm-cancel-refund = Cancel order #{ $id }? You'll get { $total } back in full.
confirm-cancel = Cancel order #{ $id }?
yes-cancel = Yes, cancel it
keep-it = Keep it
order-cancelled-refund = Order #{ $id } is cancelled. Your { $total } will be refunded.
order-cancelled = Order #{ $id } is cancelled.
kept = OK, your order stands.
below-stripe-minimum = card payments need at least { $min } per item; please raise the price

## Managing offers

withdrawn-refund = 😔 Sorry: the shop withdrew <b>{ $title }</b>. Order #{ $id } is cancelled and your { $total } is being refunded in full.
withdrawn-released = 😔 Sorry: the shop withdrew <b>{ $title }</b>. Order #{ $id } is cancelled; nothing was charged.
thanks-for-pickup = 🙏 Thanks for picking up <b>{ $title }</b> and saving good food! Enjoy.
myoffers-empty = You have no offers yet. /newoffer posts one.
myoffers-header = 📋 <b>Your offers</b> (tap a number to manage it)
myoffers-group = { $status ->
    [active] Active
    [paused] Paused
    [sold_out] Sold out
    [draft] Drafts
    [expired] Ended
   *[withdrawn] Withdrawn
}
offer-counts = sold { $sold } · reserved { $reserved } · left { $left }
manage-item = • { $name } ({ $unit }): { $deal } (usual { $original }) — sold { $sold } · reserved { $reserved } · left { $left }
pause = ⏸ Pause
resume = ▶️ Resume
edit-price = 💶 Edit price
edit-quantity = 🔢 Edit quantity
mark-sold-out = 🚫 Mark sold out
withdraw = 🗑 Withdraw
orders = 🧾 Orders
pickup = ✅ Confirm a pickup
back-to-list = ⬅️ All offers
confirm-withdraw = Withdraw <b>{ $title }</b>? { $paid ->
    [one] 1 paid order will be refunded in full
   *[other] { $paid } paid orders will be refunded in full
} and { $open ->
    [one] 1 other order cancelled
   *[other] { $open } other orders cancelled
}; every customer is told.
yes-withdraw = Yes, withdraw
withdrawn-toast = Withdrawn
now-status = Now { $status }
not-now = Not possible while it is { $status }
withdrawn = 🗑 <b>{ $title }</b> is withdrawn. { $told ->
    [one] 1 customer told.
   *[other] { $told } customers told.
}
choose-item-to-edit = Which item?
ask-new-price = New deal price for <b>{ $name }</b>? Now { $current }, usual { $original }. New orders pay the new price; existing ones keep theirs.
ask-new-quantity = New quantity for <b>{ $name }</b>? Now { $quantity }; { $committed } already sold or reserved.
below-committed = { $committed } units are already sold or reserved; the quantity can't go below that
ask-pickup-code = Type the customer's pickup code (6 letters and digits).
picked-up =
    ✅ Order #{ $id } picked up:
    { $lines }
pickup-code-line = code <b>{ $code }</b>
offer-order-line =
    #{ $id } · { $status } · { $what }
    { $lines }
not-yours = That isn't your offer.
no-orders-for-offer = No orders for this offer yet.
offer-orders-header = 🧾 <b>Orders for { $title }</b>
usage-pause = Usage: /pause &lt;offer id&gt; (see /myoffers)
usage-pickup = Usage: /pickup &lt;code&gt;

## Following and alerts

view = 👀 View
follow-button = ⭐ Follow { $name }
unfollow-button = ✖️ Unfollow { $name }
now-following = ⭐ You follow { $name }: I'll tell you about its new deals.
no-longer-following = You no longer follow { $name }.
following-empty = You don't follow any shops yet. Tap ⭐ Follow on a deal or a shop's page, and I'll tell you about their new deals.
following-list =
    ⭐ <b>Shops you follow</b>
    You hear about their new deals first.

    { $lines }
following-line = • <b>{ $name }</b>
following-line-deals = • <b>{ $name }</b> · { $deals ->
    [one] 1 deal now
   *[other] { $deals } deals now
}
alert-new-followed = 🔔 <b>{ $business }</b> posted a new deal:
alert-restock-followed = 🔁 Back in stock at <b>{ $business }</b>:
alert-new-distance = 📍 New deal { $distance } from you:
alert-restock-distance = 🔁 Back in stock, { $distance } from you:
alert-new-near = 📍 New deal near you:
alert-restock-near = 🔁 Back in stock near you:
alerts-title = 🔔 <b>Deal alerts</b>
alerts-nearby = Nearby: { $nearby }
alerts-nearby-off = Nearby alerts are off. Turn them on and I'll message you when a deal is posted near you.
alerts-quiet = Quiet hours: { $quiet } ({ $tz })
alerts-no-quiet = Quiet hours: none (time zone { $tz })
alerts-following = { $n ->
    [0] Following: no shops yet.
    [one] Following: 1 shop, see /following.
   *[other] Following: { $n } shops, see /following.
}
nearby-summary-all = every deal within { $radius } of your place
nearby-summary-keywords = deals within { $radius } of your place mentioning { $keywords }
set-up-alerts = 🔔 Turn on nearby alerts
change-alerts = ✏️ Change nearby alerts
turn-off-alerts = 🔕 Turn off nearby alerts
quiet-hours-button = 🌙 Quiet hours
alerts-ask-location =
    <b>Which place should I watch?</b> Send your location with the button (or 📎 → Location), or type coordinates like 52.5200, 13.4050.
    (You can /cancel any time.)
keep-place = Keep my place ➡️
alerts-ask-radius = <b>How far from there?</b>
radius-button = { $km } km
alerts-ask-keywords = <b>Only deals that mention certain words?</b> Type them separated by commas (like <code>bread, vegan</code>), or Skip for every deal.
alerts-ask-quiet =
    <b>Quiet hours?</b> Alerts that come in then wait until they end.
    Times are in { $tz }; type another time zone (like Europe/London) to change it, or type your own hours like <code>23:30-06:30</code>.
no-quiet-hours = No quiet hours
alerts-saved-quiet =
    ✅ Alerts on: { $nearby }.
    Quiet hours: { $quiet } ({ $tz }).
    Change them any time with /alerts.
alerts-saved =
    ✅ Alerts on: { $nearby }.
    No quiet hours.
    Change them any time with /alerts.
quiet-saved = 🌙 Quiet hours set: { $quiet } ({ $tz }). /alerts shows your settings.
quiet-none-saved = 🌙 No quiet hours (time zone { $tz }). /alerts shows your settings.
alerts-turned-off = 🔕 Nearby alerts are off. Shops you follow still tell you about their deals (/following).
alerts-already-off = Nearby alerts are already off.

## Refusals of what a user typed or asked

err-price-empty = Please type a price, for example 3.50.
err-price-negative = A price can't be negative.
err-price-decimals = { $currency } has at most { $n ->
    [0] no decimals
    [one] 1 decimal
   *[other] { $n } decimals
}.
err-price-too-large = That price is too large.
err-price-zero = A price must be more than zero.
err-price-unreadable = That doesn't look like a price; type it like 3.50.
err-currency = “{ $code }” is not a currency Glean supports (use a code such as EUR, USD or GBP).
err-text-empty = Please type something.
err-text-too-long = That's too long: at most { $max } characters, you sent { $got }.
err-quantity-unreadable = Please type a whole number, like 5.
err-quantity-zero = The quantity must be at least 1.
err-quantity-too-many = That's more than { $max } units; please type a smaller number.
err-quantity-impossible = That quantity isn't possible for one order.
err-window-ends-before-start = The pickup window must end after it starts.
err-window-too-short = The pickup window must be at least 15 minutes long.
err-window-too-long = The pickup window can be at most 24 hours long.
err-window-in-past = That pickup window has already ended; pick a time in the future.
err-window-too-far = The pickup window must start within the next 30 days.
err-window-no-such-time = { $time } doesn't exist on that day in your time zone (the clocks change); pick another time.
err-window-unreadable = I couldn't read that window. Try "today 18:00-20:00", "tomorrow 9-11" or "2026-12-01 18:00-20:00".
err-deal-above-original = The deal price ({ $deal }) can't be higher than the original price ({ $original }).
err-mixed-currencies = Both prices must be in the same currency.
err-phone = That doesn't look like a phone number; type it like +49 30 1234567.
err-coordinates-range = Latitude must be between -90 and 90 and longitude between -180 and 180.
err-coordinates-unreadable = Send your location with the button, or type it like 52.5200, 13.4050.
err-cancel-past-cutoff = Paid orders can be cancelled until { $hours } h before pickup starts; that time has passed.
err-not-cancellable = This order is { $status } and can't be cancelled.
err-order-not-yours = That order isn't yours.
err-payments-try-again = Payments are unreachable right now; please try again in a minute.
err-publish-not-now = it is { $status }
err-publish-gone = it no longer exists
err-offer-gone = That offer no longer exists.
err-pickup-unknown-code = No order of yours has that code; check it and try again.
err-pickup-not-collectable = That order is { $status }.
err-pickup-too-many-tries = Too many wrong codes; please wait a few minutes.
err-alert-radius = Pick a radius: 1, 3, 5 or 10 km.
err-alert-keywords = At most { $max } keywords, each up to { $chars } characters, separated by commas.
err-alert-quiet-hours = Type quiet hours like 22:00-07:00 (from and to must differ).
err-photo-too-large = That file is too large: at most { $max } MB.
err-photo-too-many-pixels = That image is too large: at most { $max } megapixels.
err-photo-unreadable = That isn't a photo I can read; send a JPEG, PNG or WebP image.
draft-incomplete = Your draft isn't complete yet; let's finish it first.

## Sharing into groups (inline mode)

buy-in-glean = 🛒 Buy in Glean
more-from-shop = 🏪 More from this shop
shared-card-over = { $status ->
    [sold_out] ❌ <b>Sold out</b>
    [paused] ⏸ <b>Paused by the shop for now</b>
    [expired] ⌛ <b>This deal has ended</b>
   *[withdrawn] 🚫 <b>This deal was withdrawn</b>
}

## Charities and donations

charity-usage = Usage: /charity invite &lt;name&gt;, &lt;area&gt; (for example <code>/charity invite Tafel Mitte, Berlin-Mitte</code>), or /charity for the list.
charity-invited =
    🤝 Invitation for <b>{ $name }</b> ({ $area }) made. Send this link to the charity's contact; it registers the first person who opens it, once:
    { $link }
no-charities = No charities yet. /charity invite &lt;name&gt;, &lt;area&gt; invites one.
charities-list =
    🤝 <b>Charities</b>
    { $lines }
charity-line = #{ $id } <b>{ $name }</b> ({ $area }) – { $state ->
    [invited] invited, not registered yet
    [unplaced] registered, no pickup area yet
   *[registered] registered
}
charity-link-unknown = This charity invitation link isn't valid. Please ask Glean's team for a new one.
charity-link-used = This charity invitation was already used by someone else. Please ask Glean's team for a new one.
charity-other = You're already registered for the charity <b>{ $name }</b>; one account can represent one charity.
charity-welcome = 🤝 Welcome! You're now registered for <b>{ $name }</b>. When shops near you have food left shortly before closing, I'll offer it to you here, free.
charity-already = You're registered for <b>{ $name }</b> already.
charity-where = <b>Where do you collect food?</b> Send your location with the button, or type coordinates like <code>52.52, 13.40</code>. I'll offer you food from shops near there.
charity-location-saved = 📍 Saved. I'll offer you leftovers from shops near there.
a-charity = A charity
donation-offered =
    🤝 <b>Food to collect for free</b>
    <b>{ $title }</b> at { $shop } has this left:
    { $lines }
    🕒 Pickup: { $pickup }
    📍 { $address }

    The first charity to accept gets it.
donation-line = { $quantity } × { $name }
donation-line-unit = { $quantity } × { $name } ({ $unit })
accept-donation = 🤝 We'll collect it
decline-donation = Not this time
donation-gone-answer = Another charity was quicker, or nothing is left. Thank you all the same!
donation-gone = The food left at <b>{ $title }</b> has gone to another charity. Thank you all the same!
donation-taken-answer = ✅ Donation #{ $id } is yours; your pickup code follows.
donation-not-offered = This offer wasn't made to you.
donation-declined = OK, maybe next time.
donation-yours =
    ✅ It's yours, free: <b>{ $title }</b> (donation #{ $id })
    { $lines }
    🕒 Pickup: { $pickup }
    📍 { $address }

    Your pickup code: <b>{ $code }</b>
donation-coming =
    🤝 <b>{ $charity }</b> is coming for what was left of <b>{ $title }</b> (donation #{ $id }):
    { $lines }
    Their pickup code: <b>{ $code }</b>. Confirm it with /pickup as usual.

## Pickup places: donations and unit weights

venue-line = 📍 <b>{ $name }</b>, { $address }
venue-line-donate = { $donate ->
    [yes] 🤝 leftovers go to charities
   *[no] leftovers: not donated
}
venue-line-weight = {" "}· ⚖️ { $weight } per unit
venue-donate-button = { $donate ->
    [yes] 🤝 { $name }: stop donating
   *[no] 🤝 { $name }: donate leftovers
}
venue-weight-button = ⚖️ { $name }: unit weight
ask-unit-weight = <b>How much does one unit weigh at { $name }?</b> Like <code>400</code> (grams) or <code>1.5 kg</code>. It turns saved units into kilograms. Skip to leave it unknown.
unit-weight-bad = ⚠️ That isn't a weight between 1 g and 100 kg. Try again, like 400 or 1.5 kg.
unit-weight-saved = ⚖️ Saved: one unit at { $name } weighs { $weight }.
unit-weight-unknown = ⚖️ The unit weight at { $name } is left unknown.

## Impact

weight-g = { $g } g
weight-kg = { $kg } kg
impact-saved = 🌱 { $by ->
    [you] You saved
    [glean] Glean saved
   *[shop] { $name } saved
} <b>{ $units }</b> { $units ->
    [one] meal
   *[other] meals
} from the bin
impact-weight = {" "}(≈{ $weight })
impact-donated = , { $units } of them donated to charities
impact-none = 🌱 Pick up your first deal to start saving food.
cmd-impact = The meals you saved
cmd-charity = Charities: /charity invite <name>, <area>

## Your data (/privacy)

privacy-export-button = 📦 Download my data
privacy-delete-button = 🗑 Delete my data
privacy-forget-location-button = 📍 Forget my location
privacy-confirm-delete-button = Yes, delete my data
privacy-keep-button = No, keep it
privacy-overview =
    🔒 <b>Your data</b>

    What Glean keeps about you, and why:
    • <b>Your Telegram name and username</b> — to know who is talking to me.
    • <b>Your orders</b> (items, prices, pickup codes) — to serve them. Orders, payments and refunds are kept for the accounts, as the law requires; if you delete your data they stay without your name.
    • <b>Shops you follow, your nearby alert and quiet hours</b> — to tell you about deals, until you change them.
    • <b>The last location you shared</b> — to show the deals nearest to you (here and in the app), and to offer it as the place of your first nearby alert. Dropped { $location_days } days after it was last used. { $has_location ->
        [yes] I have a location you shared.
       *[no] I have no location of yours right now.
    }
    • <b>Your messages and button presses</b> — stored as they arrive so none is lost if I restart, then deleted after { $updates_days ->
        [one] { $updates_days } day
       *[other] { $updates_days } days
    }.
    • <b>A form you're filling in</b> (registration, a new deal, alerts) — until you finish it, or for 30 days.
privacy-overview-business = • <b>Your business</b>: its name, phone, pickup places, deals and sales — to run your shop. Sales records are kept for the accounts, as the law requires.
privacy-never-shared = Glean never shares your data with other customers; a shop sees your orders, not your name.
privacy-export-caption = 📦 Everything Glean holds about you, as JSON.
privacy-nothing-held = I hold no data about you.
privacy-export-started = Preparing your data…
privacy-confirm-delete =
    🗑 <b>Delete your data?</b>

    Your name and username, phone number, locations, nearby alert and quiet hours, the shops you follow and our conversation are erased for good. Your orders are kept without your name, as accounting law requires. A business you own is closed: its deals are withdrawn and its phone number erased.

    This can't be undone.
privacy-kept = Nothing was deleted.
privacy-refused-orders = ⚠️ You have open orders ({ $orders }). Collect them, or cancel them in /orders, then try again: until then I must be able to send you your pickup codes.
privacy-refused-refunds = ⚠️ A refund is still on its way to you ({ $orders }). Wait until it has arrived — I'll tell you — then try again: I must be able to reach you about your money.
privacy-refused-business = ⚠️ Your business { $business } has open orders ({ $orders }). Let them be collected, or cancel or withdraw them in /myoffers, then try again: those customers are owed food or money.
privacy-and-more = { $list } and { $more } more
privacy-nothing-left = There's nothing of yours left to delete. Orders you had are kept only under an anonymous number.
privacy-erased =
    ✅ <b>Your data is deleted.</b>

    Deleted: your name and username, phone number, locations, nearby alert and quiet hours, the shops you followed, and our conversation (stored messages and any unfinished form).
privacy-erased-orders = Kept: { $orders ->
    [one] 1 order with its payments and refunds
   *[other] { $orders } orders with their payments and refunds
}, under an anonymous number instead of your name. Accounting law requires shops and Glean to keep records of sales.
privacy-erased-business = Your business is closed: its deals were withdrawn and its phone number erased; its name, pickup places and sales stay in the records for the same reason.
privacy-erased-charity = The charity you were the contact for keeps its name in the records, but it no longer gets leftovers until an admin invites a new contact.
privacy-goodbye = Goodbye! If you write to me again, I'll start afresh.
privacy-location-forgotten = 📍 Done: I forgot your location. Share it again in /deals whenever you like.
privacy-no-location = I don't have a location of yours.
privacy-request-usage = Usage: /privacy_request &lt;user id&gt; export|delete
privacy-request-nothing-held = Glean holds no data about user { $user }.
privacy-request-export-caption = 📦 Everything Glean holds about user { $user }. Send it only to them, and delete your copy afterwards.
privacy-request-why-orders = their orders { $orders } are still open
privacy-request-why-refunds = refunds of orders { $orders } haven't reached them yet
privacy-request-why-business = their business { $business } has open orders { $orders }
privacy-request-refused = ⚠️ Can't delete user { $user }'s data yet: { $why }. Nothing was changed.
privacy-request-nothing-left = There was nothing left to delete for user { $user }.
privacy-request-erased = ✅ User { $user }'s data is deleted. Kept without their name: { $orders ->
    [one] 1 order
   *[other] { $orders } orders
}{ $businesses ->
    [0] {""}
    [one] , 1 business
   *[other] , { $businesses } businesses
}. { $told ->
    [yes] They were sent a last message.
   *[no] I couldn't send them a last message.
}
cmd-privacy = Your data: download, delete, forget your location
cmd-privacy-request = Export or delete someone's data: /privacy_request <user id> export|delete

## The Mini App in chat

map-button = 🗺 Map
open-in-app = 📱 Open in app
menu-button = Deals

## The Mini App: its API's messages

app-open-from-telegram = Open this page from the Glean bot in Telegram: it tells us who you are.
app-not-confirmed = We couldn't confirm it's you. Close this page and open it again from the Glean bot.
app-stale = This page has been open too long. Close it and open it again from the Glean bot.
app-malformed = Telegram's sign-in data is damaged. Close this page and open it again from the bot.
app-no-bot-token = The shop window isn't set up on this server yet.
app-sold-out = Sorry, not enough left for that order.
app-payment-unavailable = Payments are unavailable right now; nothing was reserved. Please try again in a minute.
app-cancel-try-again = Payments can't be reached right now; please try cancelling again in a minute.
app-no-such-deal = That deal doesn't exist any more.
app-no-such-order = You have no order with that number.
app-no-such-shop = That shop doesn't exist.
app-bad-key = key must be 8 to 64 letters, digits, - or _
app-bad-quantity = quantity must be a whole number from 1
app-bad-near = give latitude and longitude in decimal degrees, like near=52.52,13.405
app-bad-when = one of now, today, tomorrow
app-bad-body = the request body isn't the JSON this endpoint takes: { $detail }

## The Mini App: the page

app-title = Glean – deals near you
app-loading = Loading deals…
app-tab-list = ☰ List
app-tab-map = 🗺 Map
app-tab-orders = 🧾 My orders
app-when-any = Any time
app-when-now = Pick up now
app-when-today = Today
app-when-tomorrow = Tomorrow
app-search-placeholder = Search bread, vegan, shop…
app-search-label = Search deals
app-ranked-nearest = Nearest first
app-ranked-popular = Freshest and most popular first · share your location for deals near you
app-empty = No deals near you right now. Check back later, or follow shops in the bot to hear first.
app-empty-filtered = No deals match. Try another time or fewer words.
app-map-label = Map of deals
app-map-failed = The map can't load right now. The list has every deal.
app-map-you = You
app-reopen = Please reopen Glean
app-try-again = Try again
app-offline = We can't reach Glean right now. Check your connection and try again.
app-rate-limited = That was a lot at once. Please wait a moment and try again.
app-internal = Sorry, something went wrong on our side. Please try again in a moment.
app-reserve = Reserve
app-reserve-qty = Reserve { $qty } × { $price }
app-next-drop = 📉 { $price } from { $at }
app-one-less = One less
app-one-more = One more
app-follow = ⭐ Follow { $name }
app-unfollow = ✖️ Unfollow { $name }
app-followed = You'll hear about { $name }'s new deals in the bot.
app-unfollowed = Unfollowed { $name }.
app-open-in-maps = Open in maps ↗
app-whats-in-it = What's in it
app-how-many = How many?
app-order-title = Order #{ $id }
app-show-at-pickup = Show this at pickup
app-pay-to-confirm = Reserved for you. Pay to confirm the order.
app-pay-to-confirm-by = Reserved for you. Pay to confirm the order by { $time }.
app-pay = Pay { $total }
app-total = Total { $total }
app-pickup-code = Pickup code
app-cancel = Cancel
app-cancel-reservation = Cancel reservation
app-cancel-order = Cancel order
app-reserved-toast = Reserved! Your pickup code is { $code }.
app-my-orders = My orders
app-no-orders = No orders yet. Find a deal and reserve it here.
app-cancel-question = Cancel order #{ $id }?
app-cancel-question-refund = Cancel order #{ $id }? You'll get { $amount } back.
app-order-is = Order #{ $id } is { $status }.
app-qr-label = QR code of the pickup code

## Prices that drop as pickup nears

offer-drops = <b>Should the price drop as pickup nears?</b> Customers see the next drop on the card, and a reservation keeps the price it was made at.
drop-rule = −{ $percent } % every { $every } min in the last { $hours } h
no-drops = No price drops
offer-drop-floor = What's the <b>lowest price</b> a unit may drop to? Type it in { $currency } (at most { $deal }).
err-floor-above-deal = the lowest price can't be above the deal price ({ $deal })
err-floor-below-stripe = card payments need at least { $min }, so the lowest price can't be below that
err-floor-currency = type the lowest price in the deal's currency
card-price-drop = <b>{ $now }</b> now, { $next } from { $at }
manage-drops = 📉 { $rule }, down to { $floor }
stop-drops = 📉 Stop price drops
watch-button = 🔔 Tell me below …
watch-follow-first = Follow { $shop } first (⭐ on the card) to hear when its prices drop.
watch-ask = 🔔 Tell you when <b>{ $title }</b> costs at most…? It's { $now } now and can drop to { $floor }. Choose a price or type one.
watch-set = 🔔 I'll tell you when <b>{ $title }</b> costs { $below } or less.
watch-gone = This deal won't drop in price any more.
err-watch-not-below = that's not below today's price ({ $now }); choose a lower one
err-watch-below-floor = it never goes below { $floor }; choose that or more
price-dropped = 📉 <b>{ $title }</b> from { $shop } is now { $price } – you asked to hear below { $below }.

## Getting paid: Stripe Connect, /sales, statements, /finance, /apikey

connect-get-paid-button = 💶 Get paid by card
connect-statement-button = 📄 Statement
connect-continue-button = Continue with Stripe
connect-off = Card payouts through Stripe aren't switched on here: customers' card payments reach Glean, which pays you by hand. /sales shows what you're owed.
connect-no-business = Register your business first with /register.
connect-not-verified = Your business isn't verified yet. Once an admin has verified it, you can set up card payouts.
connect-ask-country =
    <b>Get paid by card · 1/2</b>
    Card payments go straight to your own Stripe account, and Stripe pays them out to your bank.

    Which country is your business in? Tap it, or type its two-letter code (default: { $country }).
connect-ask-email =
    <b>Get paid by card · 2/2</b>
    Which email address should Stripe use for your payouts account? Stripe sends its messages there.
connect-stripe-unavailable = Stripe can't be reached right now. Please try again in a minute: nothing was set up yet.
connect-country-not-a-code = Please type a two-letter country code such as DE or FR.
connect-country-unsupported = Card payouts through Stripe aren't available in { $code }. Tap a country or type its two-letter code.
connect-bad-email = That doesn't look like an email address; type one like shop@example.com.
connect-status-title = <b>Card payouts · { $business }</b>
connect-can-charge = ✅ You can take card payments: customers pay by card and the money goes to your Stripe account.
connect-cannot-charge = ⏳ Card payments aren't on yet: until Stripe has everything it needs, your customers pay at pickup.
connect-payouts-on = ✅ Payouts to your bank are on.
connect-payouts-off = ⏳ Payouts to your bank aren't on yet.
connect-needs-details = Stripe needs a few details from you: tap the button below to finish with Stripe.
connect-nothing-yet = Nothing set up yet: /payouts
connect-account-created = Your payouts account is ready to set up. Tap <b>{ connect-continue-button }</b>: Stripe asks for your business and bank details. The button works for { $hours ->
    [one] { $hours } hour
   *[other] { $hours } hours
}; /payouts gives you a new one.
connect-pickup-only-on-publish = 💡 Customers pay this deal at pickup: card payments start once your Stripe account is set up. /payouts
connect-notice-ready = 🎉 <b>{ $business }</b> can take card payments now. Customers pay by card; the money goes to your Stripe account and from there to your bank. /sales shows the figures.
connect-notice-needs-info = ⚠️ Stripe needs something from <b>{ $business }</b>. Until then customers pay at pickup. Send /payouts to finish with Stripe.
connect-notice-needs-info-why = ⚠️ Stripe needs something from <b>{ $business }</b> (Stripe says: { $reason }). Until then customers pay at pickup. Send /payouts to finish with Stripe.
payout-paid = 🏦 A payout of { $amount } to the bank of <b>{ $business }</b> has arrived.
payout-failed = ❗ A payout of { $amount } to the bank of <b>{ $business }</b> failed: { $reason }. The money is back in the Stripe balance; check the bank details with /payouts.
payout-reason-unknown = no reason given

# The pages of /connect/{token}, in the browser.
connect-page-expired-title = This link has expired
connect-page-expired = This setup link isn't valid any more. Go back to Telegram and send <b>/payouts</b> (or tap <b>{ connect-get-paid-button }</b>) again for a fresh one.
connect-page-stripe-down-title = Stripe can't be reached
connect-page-stripe-down = Stripe can't be reached right now. Please try again in a minute.
connect-page-off-title = Not available
connect-page-off = Card payouts aren't switched on here. You can go back to Telegram.
connect-page-thanks-title = Thank you!
connect-page-ready = Your account is set up: you can take card payments.
connect-page-needs-details = Stripe still needs a few details. We've sent you the link again in Telegram.
connect-page-checking = Stripe is checking your details.
connect-page-back = You can go back to Telegram now: we've told you there where things stand.

sales-no-business = You don't have a business yet. /register one to sell here.
sales-title = <b>Sales · { $business }</b> (card payments)
sales-today = <b>Today</b>
sales-week = <b>This week</b>
sales-month = <b>This month</b>
sales-nothing = nothing yet
sales-line = gross { $gross } · fees { $fees } · refunds { $refunds } · net { $net } · paid out { $paid }
sales-balance-stripe = <b>Balance at Stripe:</b> { $balance }
sales-balance-owed = <b>Glean owes you:</b> { $balance }
statement-pick-month = Which month's statement?
statement-caption = 📄 Statement { $month } · { $business } · { $totals }
statement-empty = no entries this month
statement-net = net { $amount }
statement-donated = { $units ->
    [one] { $units } unit
   *[other] { $units } units
} donated to charities

apikey-created =
    🔑 Your API key (shown once; keep it safe):
    <code>{ $key }</code>

    GET /api/v1/businesses/{ $business }/statement?month=YYYY-MM with the header <code>Authorization: Bearer { $key }</code>. /apikey revoke stops every key.
apikey-shown-already = 🔑 This /apikey made its key already: it is in the message above, shown once. /apikey revoke stops it; /apikey makes a new one.
apikey-revoked = Revoked { $n ->
    [one] { $n } API key
   *[other] { $n } API keys
}. /apikey makes a new one.
apikey-revoked-none = There was no live API key to revoke.

finance-title = <b>Finance</b>
finance-margin = <b>Platform margin</b>
finance-margin-line = { $currency }: fees { $fees } · fees refunded { $back } · Stripe fees { $processing } · margin { $margin }
finance-nothing = nothing yet
finance-none = none
finance-balances = <b>Businesses with a balance</b>
finance-failed-payouts = <b>Failed payouts</b>
finance-failed-payout = business #{ $id }: { $amount } ({ $object }) { $note }
finance-attention = <b>Accounts needing attention</b>
finance-past-due = past due: { $fields }
finance-onboarding-unfinished = onboarding not finished
fee-usage = Use /fee &lt;business id&gt; &lt;percent&gt; [fixed], e.g. /fee 12 7.5 0.30
fee-set = Fee for #{ $id } { $business }: { $rule } per order, from the next checkout.
fee-rule = { $percent } %
fee-rule-fixed = { $percent } % + { $fixed }
fee-refused = Not changed: { $reason }
adjust-usage = Use /adjust &lt;business id&gt; &lt;amount&gt; &lt;reason&gt;, e.g. /adjust 12 -45.00 paid by bank transfer (negative: paid to the business).
adjusted = Recorded { $amount } for #{ $id } { $business } in the ledger.
err-fee-negative = A fee can't be negative.
err-fee-above-total = A fee can't be above 100 %.
err-fee-not-a-percent = Type the percentage like 7.5 (at most two decimals).
err-fee-fixed = The fixed part: { $reason }
err-adjust-amount = The amount: { $reason }
err-adjust-zero = An adjustment of zero changes nothing.
err-adjust-no-reason = Say why, e.g. /adjust 12 -45.00 paid by bank transfer.

## Waitlist

wait-join-button = ⏳ Join the waitlist
wait-leave-place-button = 🚪 Leave the waitlist (#{ $position } of { $of })
wait-leave-button = 🚪 Leave the waitlist
wait-choose-item = <b>Which item do you want to wait for?</b>
wait-choose-quantity = <b>How many do you want?</b> { $name } at { $price } each. When they come back, I'll hold them for you.
wait-joined =
    ⏳ <b>You're on the waitlist</b> for { $title }: #{ $position } of { $of }.
    When { $quantity } come back, I'll hold them for you for { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    } (never during your quiet hours: then you keep your place for the next ones).
wait-already = You're on this waitlist already: #{ $position } of { $of }.
wait-already-held = Units are held for you already: see the message with Pay and Pass.
wait-available = There are enough left: buy them now instead.
wait-unavailable = This deal can't be waited for.
wait-left = You left the waitlist for { $title }.
wait-left-passed = You left the waitlist; the units held for you went to the next person.
wait-not-waiting = You're not on this waitlist.
wait-not-yours = That hold isn't yours.
wait-try-again = Payments are unreachable right now; please try again in a minute.
wait-passed = ↪️ Passed on. The units went to the next person waiting.
wait-hold-over = { $status ->
    [lapsed] ⌛ This hold has lapsed; the units went to the next person.
    [passed] You passed this hold on already.
    [bought] That's your order already.
    [left] You left this waitlist.
   *[closed] This deal's waitlist is closed.
}
wait-hold =
    ⏳ <b>It's your turn!</b> Units of { $title } came back and are held for you for { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }:
    { $lines }
    Total <b>{ $total }</b>

    { $atpickup ->
        [yes] Confirm now and pay at pickup,
       *[no] Pay now,
    } or pass them on to the next person.
wait-confirm-button = ✅ Confirm
wait-pay-button = 💳 Pay { $total }
wait-pass-button = ↪️ Pass
wait-pay-link = 💳 <b>Order #{ $id }</b>: pay { $total } within { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }; the units are held for you until then.
wait-hold-lapsed = ⌛ Your hold on { $title } lapsed, so the units went to the next person. You're off this waitlist; join again from the deal's card if you still want it.
wait-closed = 🚫 { $title } was withdrawn, so its waitlist is closed.
wait-count = ⏳ { $count } waiting
wait-orders-header = <b>Waiting for</b>
wait-orders-line = ⏳ { $title }: { $quantity } × { $item }, #{ $position } of { $of }
wait-orders-line-held = ⏳ { $title }: held for you now (order #{ $id })

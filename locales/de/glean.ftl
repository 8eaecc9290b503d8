# Glean auf Deutsch. Texte sind Telegram-HTML: Variablen mit Eingaben von
# Nutzern kommen bereits maskiert an. Jede Nachricht der englischen Datei
# muss hier stehen (tests/it/locales.rs prüft das).

language-name = Deutsch

## Allgemein

welcome =
    👋 <b>Willkommen bei Glean!</b>
    Läden in deiner Nähe verkaufen übrige Lebensmittel günstiger. Du kaufst hier und holst im Abholzeitraum ab.
    Was es gerade gibt: /deals

    Du hast einen Hof, eine Bäckerei, einen Laden oder ein Café? Mit /register meldest du deinen Betrieb an und stellst Angebote ein.
    /help zeigt alles, was ich kann.
help-everyone =
    <b>Was ich kann</b>
    /deals – Angebote in deiner Nähe
    /orders – deine Bestellungen
    /following – Läden, denen du folgst
    /alerts – Benachrichtigungen zu Angeboten, Ruhezeiten
    /privacy – deine Daten: herunterladen, löschen, Standort vergessen
    /impact – die Mahlzeiten, die du gerettet hast
    Tippe in einem beliebigen Chat @ und meinen Namen, um dort ein Angebot zu teilen.
    /language – Sprache wählen
    /start – Begrüßung
    /help – diese Liste
    /cancel – abbrechen, was du gerade tust

    <b>Für Betriebe</b>
    /register – deinen Betrieb anmelden
help-owner =
    /newoffer – neues Angebot einstellen
    /publish – deinen Entwurf veröffentlichen
    /venues – deine Abholorte
    /myoffers – deine Angebote verwalten
    /pause &lt;id&gt;, /edit &lt;id&gt; – ein Angebot pausieren oder bearbeiten
    /pickup &lt;code&gt; – eine Abholung bestätigen
    /sales – deine Verkäufe, dein Guthaben und Monatsabrechnungen
    /payouts – Kartenzahlungen erhalten (Stripe)
    /apikey – ein API-Schlüssel für deine Abrechnungen
    /impact – die Mahlzeiten, die du gerettet hast
help-admin =
    <b>Für Admins</b>
    /pending – Betriebe, die auf Prüfung warten
    /verify &lt;id&gt; – einen Betrieb freischalten
    /reject &lt;id&gt; &lt;grund&gt; – einen Betrieb ablehnen
    /suspend &lt;id&gt; – einen Betrieb sperren
    /unsuspend &lt;id&gt; – eine Sperre aufheben
    /charity invite &lt;name&gt;, &lt;gebiet&gt; – eine Tafel oder Hilfsorganisation einladen; /charity – die Liste
    /impact – alles, was Glean gerettet hat
    /privacy_request &lt;Nutzer-ID&gt; export|delete – die Daten einer Person, auf ihren Wunsch
    /finance – Marge, Guthaben, fehlgeschlagene Auszahlungen
    /fee &lt;id&gt; &lt;prozent&gt; [fix] – die Gebühr eines Betriebs
    /adjust &lt;id&gt; &lt;betrag&gt; &lt;grund&gt; – eine Zahlung oder Korrektur buchen
unknown-command = Diesen Befehl kenne ich nicht. /help zeigt, was ich kann.
dont-understand = Das habe ich nicht verstanden. /help zeigt, was ich kann.
nothing-to-cancel = Es gibt nichts abzubrechen.
cancelled = Abgebrochen. Nichts wurde gespeichert.
busy-in-dialogue = Du bist gerade mitten in etwas anderem. Bring es zu Ende oder brich es erst mit /cancel ab.
something-went-wrong = Entschuldige, bei uns ist etwas schiefgegangen. Bitte versuch es gleich noch einmal.
stale-button = Diese Schaltfläche gehört zu einem früheren Schritt; bitte nutze die neueste Nachricht.
unknown-button = Diese Schaltfläche funktioniert nicht mehr.
admins-only = Das dürfen leider nur die Admins von Glean.
text-expected = Bitte antworte mit Text.
back = ⬅️ Zurück
cancel = ✖️ Abbrechen
skip = Überspringen ➡️
slow-down = 🐢 Langsam! Du bist etwas schnell; gib mir eine Sekunde.
problem = ⚠️ { $problem }
saved = ✅ Gespeichert.

## Sprachen

language-choose = 🌐 <b>In welcher Sprache soll ich schreiben?</b>
language-set = ✅ Ab jetzt schreibe ich Deutsch.
language-unsupported = „{ $code }“ spreche ich noch nicht. Ich kann: { $supported }.
    Schick /language und tippe auf eine.

## Befehlsmenü (reiner Text, höchstens 256 Zeichen)

cmd-deals = Angebote in deiner Nähe
cmd-orders = Deine Bestellungen
cmd-following = Läden, denen du folgst
cmd-alerts = Benachrichtigungen zu Angeboten
cmd-language = Sprache wählen
cmd-start = Begrüßung
cmd-help = Was ich kann
cmd-register = Deinen Betrieb anmelden
cmd-newoffer = Neues Angebot einstellen
cmd-publish = Deinen Entwurf veröffentlichen
cmd-venues = Deine Abholorte
cmd-myoffers = Deine Angebote verwalten
cmd-pickup = Abholung bestätigen: /pickup CODE
cmd-cancel = Abbrechen, was du gerade tust
cmd-pending = Betriebe, die auf Prüfung warten
cmd-verify = Betrieb freischalten: /verify <id>
cmd-reject = Ablehnen: /reject <id> <grund>
cmd-suspend = Betrieb sperren: /suspend <id>
cmd-unsuspend = Sperre aufheben: /unsuspend <id>
cmd-refunds = Fehlgeschlagene Erstattungen
cmd-refund-retry = Erstattung erneut versuchen: /refund_retry <bestellnr>
cmd-refund-settled = Erstattung außerhalb von Stripe erledigt: /refund_settled <bestellnr>
cmd-sales = Deine Verkäufe, dein Guthaben und Abrechnungen
cmd-payouts = Kartenzahlungen erhalten
cmd-apikey = Ein API-Schlüssel für deine Abrechnungen (/apikey revoke)
cmd-finance = Geld: Marge, Guthaben, fehlgeschlagene Auszahlungen
cmd-fee = Gebühr eines Betriebs: /fee <id> <prozent> [fix]
cmd-adjust = Zahlung oder Korrektur buchen: /adjust <id> <betrag> <grund>

## Datum

day-today = Heute
day-tomorrow = Morgen
weekday = { $n ->
    [1] Mo.
    [2] Di.
    [3] Mi.
    [4] Do.
    [5] Fr.
    [6] Sa.
   *[7] So.
}
month = { $n ->
    [1] Jan.
    [2] Feb.
    [3] März
    [4] Apr.
    [5] Mai
    [6] Juni
    [7] Juli
    [8] Aug.
    [9] Sept.
    [10] Okt.
    [11] Nov.
   *[12] Dez.
}
date-short = { $weekday }, { $day }. { $month }
date-long = { $weekday }, { $day }. { $month } { $year }
distance-m = { $m } m
distance-km = { $km } km

## Anmeldung

reg-name =
    Melden wir deinen Betrieb an. <b>Wie heißt er?</b>
    (Mit /cancel kannst du jederzeit abbrechen.)
reg-phone = <b>Eine Telefonnummer für Rückfragen?</b> Tippe auf die Schaltfläche, um deine zu teilen, oder gib eine andere ein.
reg-share-phone = 📱 Meine Nummer teilen
reg-address = <b>Wo holen Kunden ab?</b> Gib die Adresse ein (Straße, Hausnummer, Ort).
reg-location = <b>Schick den Abholort</b> über die Schaltfläche (oder 📎 → Standort) oder gib Koordinaten ein, etwa 52.5200, 13.4050.
share-location = 📍 Standort senden
reg-timezone =
    <b>In welcher Zeitzone bist du?</b> Abholzeiten werden darin angezeigt.
    Tippe auf eine oder gib ihren Namen ein (etwa Europe/Berlin). Standard: { $default }
reg-timezone-unknown = Diese Zeitzone kenne ich nicht. Gib ihren IANA-Namen ein, etwa Europe/Berlin oder America/New_York.
reg-currency = <b>In welcher Währung verkaufst du?</b> Tippe auf eine oder gib ihren Code ein (etwa EUR).
reg-done =
    ✅ Danke! <b>{ $name }</b> ist angemeldet und wartet auf die Prüfung.
    Ich melde mich, sobald ein Admin sie sich angesehen hat.
admin-new-business =
    🆕 <b>Betrieb #{ $id } zu prüfen</b>
    { $name }
    📞 { $phone }
    📍 { $address }
    👤 { $owner }
approve = ✅ Freischalten
approved-toast = Freigeschaltet
reject = ❌ Ablehnen
approved-note = ✅ Freigeschaltet von { $admin }
rejected-note = ❌ Abgelehnt von { $admin }: { $reason }
owner-verified = 🎉 <b>{ $name }</b> ist freigeschaltet! Stell mit /newoffer dein erstes Angebot ein.
owner-rejected =
    <b>{ $name }</b> wurde leider nicht freigeschaltet: { $reason }
    Du kannst dich mit korrigierten Angaben erneut mit /register anmelden.
owner-suspended = ⚠️ <b>{ $name }</b> wurde von den Admins von Glean gesperrt; seine Angebote können vorerst nicht veröffentlicht werden.
owner-unsuspended = ✅ <b>{ $name }</b> ist wieder aktiv. Mit /newoffer stellst du ein Angebot ein.
ask-reject-reason = Warum wird <b>{ $name }</b> abgelehnt? Eine Zeile; der Inhaber sieht sie.
no-reason-given = kein Grund angegeben
already = { $name } ist bereits { $status }.
business-now = { $name } ist jetzt { $status }.
business-status = { $status ->
    [pending] in Prüfung
    [verified] freigeschaltet
    [rejected] abgelehnt
    [suspended] gesperrt
   *[other] { $status }
}
no-pending = Kein Betrieb wartet auf Prüfung.
usage-verify = So geht's: /verify &lt;Betriebsnummer&gt;
usage-reject = So geht's: /reject &lt;Betriebsnummer&gt; &lt;Grund&gt;
usage-suspend = So geht's: /suspend &lt;Betriebsnummer&gt;
usage-unsuspend = So geht's: /unsuspend &lt;Betriebsnummer&gt;
no-business = Einen Betrieb #{ $id } gibt es nicht.

## Angebote

need-verified-business = Um Angebote einzustellen, brauchst du einen freigeschalteten Betrieb. Melde mit /register einen an; ich sage dir Bescheid, wenn er freigeschaltet ist.
pending-business = Dein Betrieb wartet noch auf die Prüfung. Ich sage dir Bescheid, wenn es so weit ist.
offer-venue = <b>Für welchen Abholort ist dieses Angebot?</b>
offer-title =
    Stellen wir ein Angebot ein. <b>Wie soll es heißen?</b> (etwa „Brottüte“ oder „Gemüsekiste“)
    (Mit /cancel kannst du jederzeit abbrechen.)
offer-description = <b>Eine kurze Beschreibung?</b> Was drin ist, Allergene, alles Wissenswerte. Oder überspringen.
offer-item-first = <b>Was ist der erste Artikel?</b> Sein Name, etwa „Sauerteigbrot“.
offer-item-next = <b>Artikel { $n }: wie heißt er?</b>
offer-item-unit = <b>Was ist eine Einheit?</b> Etwa „1 Laib“, „2-kg-Kiste“ oder „Tüte mit 4“.
offer-item-original = <b>Der normale Preis</b> pro Einheit, in { $currency }? Etwa 5,00
offer-item-deal = <b>Dein Angebotspreis</b> in { $currency }? Höchstens der normale Preis von { $original }.
offer-item-quantity = <b>Wie viele Einheiten</b> hast du?
offer-items-so-far =
    Bisherige Artikel:
    { $lines }

    Noch einen Artikel hinzufügen oder weiter?
offer-item-line = • { $name } ({ $unit }): { $deal } statt { $original }, { $quantity ->
    [one] 1 Einheit
   *[other] { $quantity } Einheiten
}
add-item = ➕ Weiteren Artikel hinzufügen
items-done = Weiter ➡️
offer-window =
    <b>Wann können Kunden abholen?</b> Die Zeiten gelten in { $tz }.
    Zum Beispiel: <code>heute 18:00-20:00</code>, <code>morgen 9-11</code> oder <code>2026-12-01 18:00-20:00</code>
offer-photo = <b>Schick ein Foto</b> vom Essen (als Foto oder als Datei: JPEG, PNG oder WebP, bis 10 MB). Oder überspringen.
photo-working = Danke, ich bereite dein Foto vor…
photo-expected = Bitte schick ein Foto (oder eine JPEG-, PNG- oder WebP-Datei) oder tippe auf Überspringen.
preview-intro = 👀 <b>Vorschau</b> – so sehen Kunden dein Angebot:
publish = ✅ Veröffentlichen
edit = ✏️ Bearbeiten
discard = 🗑 Verwerfen
edit-what = Was möchtest du ändern?
edit-field-title = Titel
edit-field-description = Beschreibung
edit-field-items = Artikel
edit-field-window = Abholzeit
edit-field-photo = Foto
edit-field-drops = Preissenkungen
back-to-preview = ⬅️ Zurück zur Vorschau
discarded = 🗑 Entwurf verworfen.
published =
    🚀 <b>{ $title }</b> ist online! Kunden finden es unter /deals.
    Zum Teilen: { $link }
published-mark = ✅ Veröffentlicht
no-draft = Du hast keinen Entwurf. Beginne einen mit /newoffer.
draft-incomplete = Dein Entwurf ist noch nicht fertig; machen wir ihn erst fertig.
publish-refused = Ich konnte es nicht veröffentlichen: { $reason }.
window-ended-send-new = Der Abholzeitraum ist schon vorbei. Bitte schick einen neuen.
too-many-items = Mehr Artikel kann ein Angebot nicht haben.

## Abholorte

venues-list =
    <b>Deine Abholorte</b>
    { $lines }
add-venue = ➕ Abholort hinzufügen
venue-name = <b>Wie nennst du diesen Abholort?</b> Etwa „Marktstand“ oder „Hauptgeschäft“.
venue-added = ✅ Abholort <b>{ $name }</b> hinzugefügt. /newoffer kann ihn jetzt nutzen.
location-saved = 📍 Danke, ich habe deinen Standort gespeichert.

## Direktlinks

offer-not-found = Dieses Angebot finde ich nicht. Vielleicht wurde es entfernt.
business-not-found = Diesen Betrieb finde ich nicht.
business-profile = <b>{ $name }</b>
    { $deals ->
        [0] Gerade keine Angebote. Schau bald wieder vorbei!
        [one] Gerade 1 Angebot:
       *[other] Gerade { $deals } Angebote:
    }
venue-location-button = 📍 Auf der Karte zeigen

## Angebotskarte und Listen

card-sold-out = ausverkauft
card-left = { $n ->
    [one] 1 Einheit übrig
   *[other] { $n } Einheiten übrig
}
card-pickup = 🕒 Abholung: { $window } ({ $tz })
card-from = ab <b>{ $price }</b>
price-from = ab { $price }
offer-unavailable = { $status ->
    [draft] Dieses Angebot ist noch nicht veröffentlicht.
    [paused] Dieses Angebot hat der Laden gerade pausiert.
    [sold_out] Dieses Angebot ist leider ausverkauft.
    [expired] Dieses Angebot ist vorbei: Der Abholzeitraum ist abgelaufen.
   *[withdrawn] Dieses Angebot hat der Laden zurückgezogen.
}
offer-status = { $status ->
    [draft] Entwurf
    [active] aktiv
    [paused] pausiert
    [sold_out] ausverkauft
    [expired] beendet
   *[withdrawn] zurückgezogen
}
deals-empty = Gerade gibt es keine Angebote. Schau bald wieder vorbei!
deals-header = { $nearest ->
    [yes] 🔥 <b>Angebote in deiner Nähe</b>, die nächsten zuerst
   *[no] 🔥 <b>Angebote</b>, die neuesten und beliebtesten zuerst
}
deals-page = { $header } · Seite { $page }/{ $pages }
share-location-hint = 📍 Teile deinen Standort, um die nächsten Angebote zuerst zu sehen.
previous = ◀️ Zurück
next = Weiter ▶️
buy = 🛒 Kaufen
list-expired = Diese Liste ist veraltet; hier ist eine neue.

## Kaufen

choose-item = <b>Welcher Artikel?</b>
choose-quantity = <b>Wie viele?</b> { $name } zu je { $price } ({ $left ->
    [one] 1 übrig
   *[other] { $left } übrig
})
reserved-pay =
    🧺 <b>Bestellung #{ $id } reserviert</b> für { $minutes ->
        [one] 1 Minute
       *[other] { $minutes } Minuten
    }:
    { $lines }
    Summe <b>{ $total }</b>

    Bezahl jetzt, um sie zu bestätigen.
pay-button = 💳 { $total } bezahlen
cancel-reservation = ✖️ Reservierung stornieren
reserved-toast = Reserviert!
sold-out-now = Davon ist leider nicht mehr genug da. Es wurde nichts reserviert.
payment-unavailable = Zahlungen funktionieren gerade leider nicht. Es wurde nichts reserviert oder abgebucht; bitte versuch es in einer Minute noch einmal.
order-confirmed =
    ✅ <b>Bestellung #{ $id } bestätigt!</b>
    Abholcode: <b>{ $code }</b>
    { $lines }
    { $at_pickup ->
        [yes] Du zahlst { $total } bei der Abholung.
       *[no] { $total } bezahlt.
    }

    🕒 { $window }
    📍 { $venue }, { $address }

    Zeig den Code bei der Abholung. { $left ->
        [one] Von diesem Angebot ist noch 1 Einheit übrig.
       *[other] Von diesem Angebot sind noch { $left } Einheiten übrig.
    }
order-line = { $quantity } × { $name } ({ $price })
order-item = Artikel
business-new-order =
    🛒 <b>Neue Bestellung #{ $id }</b> für { $title } ({ $at_pickup ->
        [yes] zahlt bei Abholung
       *[no] bezahlt
    }):
    { $lines }
    Abholcode: <b>{ $code }</b>
    { $left ->
        [one] 1 Einheit übrig.
       *[other] { $left } Einheiten übrig.
    }
business-order-cancelled = ↩️ Bestellung #{ $id } (Code { $code }) wurde vom Kunden storniert; die Einheiten sind wieder verfügbar.
reservation-lapsed = ⌛ Deine Reservierung ist abgelaufen, bevor sie bezahlt wurde, deshalb ist das Essen wieder im Verkauf. Es wurde nichts abgebucht.
paid-too-late = Deine Zahlung kam leider erst nach Ablauf der Reservierung, und das Angebot ist weg. Du bekommst deine { $total } vollständig zurück.
refunded = 💸 Bestellung #{ $id }: Deine Erstattung über { $total } ist erledigt. Je nach Bank siehst du sie innerhalb von 5–10 Tagen auf deiner Karte.
already-withdrawn = 🗑 <b>{ $title }</b> ist zurückgezogen; die Kunden wurden benachrichtigt.
order-is = Bestellung #{ $id } ist { $status }.
order-status = { $status ->
    [reserved] reserviert, Zahlung ausstehend
    [confirmed] bestätigt, Zahlung bei Abholung
    [paid] bezahlt
    [picked_up] abgeholt
    [expired] abgelaufen (nicht rechtzeitig bezahlt)
    [cancelled] storniert
    [refund_pending] storniert, Erstattung unterwegs
    [refunded] erstattet
    [refund_failed] Erstattung fehlgeschlagen, wir kümmern uns
    [refund_settled] außerhalb von Stripe erstattet
    [no_show] nicht abgeholt
   *[other] { $status }
}
paid-too-late-order = Deine Zahlung für Bestellung #{ $id } kam leider erst nach Ablauf der Reservierung, und das Angebot ist weg. Du bekommst deine { $total } vollständig zurück.
refund-failed = ⚠️ Bestellung #{ $id }: Die Erstattung über { $total } auf deine Karte hat nicht geklappt. Unser Team weiß Bescheid und klärt es mit dir; du musst nichts tun.
refund-failed-staff =
    ⚠️ <b>Erstattung fehlgeschlagen</b> für Bestellung #{ $id }: { $total } an Kunde { $customer }.
    Grund: { $reason }
    Admins: <code>/refund_retry { $id }</code> versucht es erneut; <code>/refund_settled { $id }</code> vermerkt sie als außerhalb von Stripe erledigt.
refund-reason-unknown = nicht angegeben
refund-retried = 🔁 Bestellung #{ $id }: Die Erstattung ist erneut eingereiht (ein neuer Versuch bei Stripe).
refund-settled = ✅ Bestellung #{ $id }: Die fehlgeschlagene Erstattung ist als außerhalb von Stripe erledigt vermerkt.
refund-usage = So geht's: /refund_retry &lt;Bestellnummer&gt; oder /refund_settled &lt;Bestellnummer&gt; (für eine Bestellung mit fehlgeschlagener Erstattung).
failed-refund-line = #{ $id } · { $total } · Kunde { $customer } · { $reason }
owner-id = ID { $id }
no-failed-refunds = Keine fehlgeschlagenen Erstattungen. 👍
failed-refunds =
    <b>Fehlgeschlagene Erstattungen</b>
    { $list }
my-order-code = Abholcode <b>{ $code }</b> · 🕒 { $window }
no-orders = Du hast noch keine Bestellungen. Finde ein Angebot mit /deals.
orders-header = 🧾 <b>Deine Bestellungen</b>
cancel-order-button = #{ $id } stornieren
confirm-cancel-refund = Bestellung #{ $id } stornieren? Du bekommst { $total } vollständig zurück.
confirm-cancel = Bestellung #{ $id } stornieren?
yes-cancel = Ja, stornieren
keep-it = Behalten
order-cancelled-refund = Bestellung #{ $id } ist storniert. Deine { $total } werden erstattet.
order-cancelled = Bestellung #{ $id } ist storniert.
kept = Alles klar, deine Bestellung bleibt bestehen.
below-stripe-minimum = Kartenzahlungen brauchen mindestens { $min } pro Artikel; bitte setz den Preis höher

## Angebote verwalten

withdrawn-refund = 😔 Schade: Der Laden hat <b>{ $title }</b> zurückgezogen. Bestellung #{ $id } ist storniert, und du bekommst deine { $total } vollständig zurück.
withdrawn-released = 😔 Schade: Der Laden hat <b>{ $title }</b> zurückgezogen. Bestellung #{ $id } ist storniert; es wurde nichts abgebucht.
thanks-for-pickup = 🙏 Danke, dass du <b>{ $title }</b> abgeholt und gutes Essen gerettet hast! Guten Appetit.
myoffers-empty = Du hast noch keine Angebote. Mit /newoffer stellst du eins ein.
myoffers-header = 📋 <b>Deine Angebote</b> (tippe auf eine Nummer, um es zu verwalten)
myoffers-group = { $status ->
    [active] Aktiv
    [paused] Pausiert
    [sold_out] Ausverkauft
    [draft] Entwürfe
    [expired] Beendet
   *[withdrawn] Zurückgezogen
}
offer-counts = verkauft { $sold } · reserviert { $reserved } · übrig { $left }
manage-item = • { $name } ({ $unit }): { $deal } (sonst { $original }) — verkauft { $sold } · reserviert { $reserved } · übrig { $left }
pause = ⏸ Pausieren
resume = ▶️ Fortsetzen
edit-price = 💶 Preis ändern
edit-quantity = 🔢 Menge ändern
mark-sold-out = 🚫 Als ausverkauft markieren
withdraw = 🗑 Zurückziehen
orders = 🧾 Bestellungen
pickup = ✅ Abholung bestätigen
back-to-list = ⬅️ Alle Angebote
confirm-withdraw = <b>{ $title }</b> zurückziehen? { $paid ->
    [one] 1 bezahlte Bestellung wird vollständig erstattet
   *[other] { $paid } bezahlte Bestellungen werden vollständig erstattet
} und { $open ->
    [one] 1 weitere Bestellung storniert
   *[other] { $open } weitere Bestellungen storniert
}; alle Kunden werden benachrichtigt.
yes-withdraw = Ja, zurückziehen
withdrawn-toast = Zurückgezogen
now-status = Jetzt { $status }
not-now = Nicht möglich, solange es { $status } ist
withdrawn = 🗑 <b>{ $title }</b> ist zurückgezogen. { $told ->
    [one] 1 Kunde benachrichtigt.
   *[other] { $told } Kunden benachrichtigt.
}
choose-item-to-edit = Welcher Artikel?
ask-new-price = Neuer Angebotspreis für <b>{ $name }</b>? Jetzt { $current }, sonst { $original }. Neue Bestellungen zahlen den neuen Preis; bestehende behalten ihren.
ask-new-quantity = Neue Menge für <b>{ $name }</b>? Jetzt { $quantity }; { $committed } davon schon verkauft oder reserviert.
below-committed = { $committed ->
    [one] 1 Einheit ist schon verkauft oder reserviert; weniger geht nicht
   *[other] { $committed } Einheiten sind schon verkauft oder reserviert; weniger geht nicht
}
ask-pickup-code = Gib den Abholcode des Kunden ein (6 Buchstaben und Ziffern).
picked-up =
    ✅ Bestellung #{ $id } abgeholt:
    { $lines }
pickup-code-line = Code <b>{ $code }</b>
offer-order-line =
    #{ $id } · { $status } · { $what }
    { $lines }
not-yours = Das ist nicht dein Angebot.
no-orders-for-offer = Für dieses Angebot gibt es noch keine Bestellungen.
offer-orders-header = 🧾 <b>Bestellungen für { $title }</b>
usage-pause = So geht's: /pause &lt;Angebotsnummer&gt; (siehe /myoffers)
usage-pickup = So geht's: /pickup &lt;Code&gt;

## Folgen und Benachrichtigungen

view = 👀 Ansehen
follow-button = ⭐ { $name } folgen
unfollow-button = ✖️ { $name } entfolgen
now-following = ⭐ Du folgst { $name }: Ich sage dir Bescheid, wenn es neue Angebote gibt.
no-longer-following = Du folgst { $name } nicht mehr.
following-empty = Du folgst noch keinem Laden. Tippe bei einem Angebot oder auf der Seite eines Ladens auf ⭐ Folgen, dann erzähle ich dir von neuen Angeboten.
following-list =
    ⭐ <b>Läden, denen du folgst</b>
    Von ihren neuen Angeboten erfährst du zuerst.

    { $lines }
following-line = • <b>{ $name }</b>
following-line-deals = • <b>{ $name }</b> · { $deals ->
    [one] gerade 1 Angebot
   *[other] gerade { $deals } Angebote
}
alert-new-followed = 🔔 <b>{ $business }</b> hat ein neues Angebot:
alert-restock-followed = 🔁 Wieder da bei <b>{ $business }</b>:
alert-new-distance = 📍 Neues Angebot, { $distance } von dir:
alert-restock-distance = 🔁 Wieder da, { $distance } von dir:
alert-new-near = 📍 Neues Angebot in deiner Nähe:
alert-restock-near = 🔁 Wieder da, in deiner Nähe:
alerts-title = 🔔 <b>Benachrichtigungen</b>
alerts-nearby = In der Nähe: { $nearby }
alerts-nearby-off = Benachrichtigungen für die Nähe sind aus. Schalte sie ein, dann schreibe ich dir, wenn in deiner Nähe ein Angebot erscheint.
alerts-quiet = Ruhezeit: { $quiet } ({ $tz })
alerts-no-quiet = Ruhezeit: keine (Zeitzone { $tz })
alerts-following = { $n ->
    [0] Du folgst: noch keinem Laden.
    [one] Du folgst: 1 Laden, siehe /following.
   *[other] Du folgst: { $n } Läden, siehe /following.
}
nearby-summary-all = jedes Angebot im Umkreis von { $radius } um deinen Ort
nearby-summary-keywords = Angebote im Umkreis von { $radius } um deinen Ort, die { $keywords } erwähnen
set-up-alerts = 🔔 Benachrichtigungen für die Nähe einschalten
change-alerts = ✏️ Benachrichtigungen für die Nähe ändern
turn-off-alerts = 🔕 Benachrichtigungen für die Nähe ausschalten
quiet-hours-button = 🌙 Ruhezeit
alerts-ask-location =
    <b>Welchen Ort soll ich im Blick behalten?</b> Schick deinen Standort über die Schaltfläche (oder 📎 → Standort) oder gib Koordinaten ein, etwa 52.5200, 13.4050.
    (Mit /cancel kannst du jederzeit abbrechen.)
keep-place = Meinen Ort behalten ➡️
alerts-ask-radius = <b>Wie weit drumherum?</b>
radius-button = { $km } km
alerts-ask-keywords = <b>Nur Angebote mit bestimmten Wörtern?</b> Gib sie durch Kommas getrennt ein (etwa <code>Brot, vegan</code>) oder überspring das für alle Angebote.
alerts-ask-quiet =
    <b>Ruhezeit?</b> Benachrichtigungen in dieser Zeit warten, bis sie vorbei ist.
    Die Zeiten gelten in { $tz }; gib eine andere Zeitzone ein (etwa Europe/London), um sie zu ändern, oder eigene Zeiten wie <code>23:30-06:30</code>.
no-quiet-hours = Keine Ruhezeit
alerts-saved-quiet =
    ✅ Benachrichtigungen an: { $nearby }.
    Ruhezeit: { $quiet } ({ $tz }).
    Ändern kannst du das jederzeit mit /alerts.
alerts-saved =
    ✅ Benachrichtigungen an: { $nearby }.
    Keine Ruhezeit.
    Ändern kannst du das jederzeit mit /alerts.
quiet-saved = 🌙 Ruhezeit gesetzt: { $quiet } ({ $tz }). /alerts zeigt deine Einstellungen.
quiet-none-saved = 🌙 Keine Ruhezeit (Zeitzone { $tz }). /alerts zeigt deine Einstellungen.
alerts-turned-off = 🔕 Benachrichtigungen für die Nähe sind aus. Läden, denen du folgst, melden sich weiterhin mit ihren Angeboten (/following).
alerts-already-off = Benachrichtigungen für die Nähe sind schon aus.

## Ablehnungen von Eingaben und Anfragen

err-price-empty = Bitte gib einen Preis ein, zum Beispiel 3,50.
err-price-negative = Ein Preis kann nicht negativ sein.
err-price-decimals = { $currency } hat { $n ->
    [0] keine Nachkommastellen
    [one] höchstens 1 Nachkommastelle
   *[other] höchstens { $n } Nachkommastellen
}.
err-price-too-large = Dieser Preis ist zu hoch.
err-price-zero = Ein Preis muss größer als null sein.
err-price-unreadable = Das sieht nicht nach einem Preis aus; gib ihn etwa so ein: 3,50.
err-currency = „{ $code }“ ist keine Währung, die Glean unterstützt (nimm einen Code wie EUR, USD oder GBP).
err-text-empty = Bitte gib etwas ein.
err-text-too-long = Das ist zu lang: höchstens { $max } Zeichen, du hast { $got } geschickt.
err-quantity-unreadable = Bitte gib eine ganze Zahl ein, etwa 5.
err-quantity-zero = Die Menge muss mindestens 1 sein.
err-quantity-too-many = Das sind mehr als { $max } Einheiten; bitte gib eine kleinere Zahl ein.
err-quantity-impossible = Diese Menge ist für eine Bestellung nicht möglich.
err-window-ends-before-start = Der Abholzeitraum muss nach seinem Beginn enden.
err-window-too-short = Der Abholzeitraum muss mindestens 15 Minuten lang sein.
err-window-too-long = Der Abholzeitraum darf höchstens 24 Stunden lang sein.
err-window-in-past = Dieser Abholzeitraum ist schon vorbei; wähl eine Zeit in der Zukunft.
err-window-too-far = Der Abholzeitraum muss innerhalb der nächsten 30 Tage beginnen.
err-window-no-such-time = { $time } gibt es an diesem Tag in deiner Zeitzone nicht (Zeitumstellung); wähl eine andere Zeit.
err-window-unreadable = Diesen Zeitraum konnte ich nicht lesen. Versuch „heute 18:00-20:00“, „morgen 9-11“ oder „2026-12-01 18:00-20:00“.
err-deal-above-original = Der Angebotspreis ({ $deal }) darf nicht höher sein als der normale Preis ({ $original }).
err-mixed-currencies = Beide Preise müssen in derselben Währung sein.
err-phone = Das sieht nicht nach einer Telefonnummer aus; gib sie etwa so ein: +49 30 1234567.
err-coordinates-range = Der Breitengrad muss zwischen -90 und 90 liegen, der Längengrad zwischen -180 und 180.
err-coordinates-unreadable = Schick deinen Standort über die Schaltfläche oder gib ihn etwa so ein: 52.5200, 13.4050.
err-cancel-past-cutoff = Bezahlte Bestellungen lassen sich bis { $hours } Std. vor Beginn der Abholung stornieren; diese Frist ist vorbei.
err-not-cancellable = Diese Bestellung ist { $status } und kann nicht storniert werden.
err-order-not-yours = Das ist nicht deine Bestellung.
err-payments-try-again = Zahlungen sind gerade nicht erreichbar; bitte versuch es in einer Minute noch einmal.
err-publish-not-now = es ist { $status }
err-publish-gone = es existiert nicht mehr
err-offer-gone = Dieses Angebot gibt es nicht mehr.
err-pickup-unknown-code = Keine deiner Bestellungen hat diesen Code; prüf ihn und versuch es noch einmal.
err-pickup-not-collectable = Diese Bestellung ist { $status }.
err-pickup-too-many-tries = Zu viele falsche Codes; bitte warte ein paar Minuten.
err-alert-radius = Wähl einen Umkreis: 1, 3, 5 oder 10 km.
err-alert-keywords = Höchstens { $max } Wörter mit je bis zu { $chars } Zeichen, durch Kommas getrennt.
err-alert-quiet-hours = Gib die Ruhezeit etwa so ein: 22:00-07:00 (Beginn und Ende müssen verschieden sein).
err-photo-too-large = Die Datei ist zu groß: höchstens { $max } MB.
err-photo-too-many-pixels = Das Bild ist zu groß: höchstens { $max } Megapixel.
err-photo-unreadable = Dieses Foto kann ich nicht lesen; schick ein JPEG-, PNG- oder WebP-Bild.

## Teilen in Gruppen (Inline-Modus)

buy-in-glean = 🛒 In Glean kaufen
more-from-shop = 🏪 Mehr von diesem Laden
shared-card-over = { $status ->
    [sold_out] ❌ <b>Ausverkauft</b>
    [paused] ⏸ <b>Vom Laden vorerst pausiert</b>
    [expired] ⌛ <b>Dieses Angebot ist vorbei</b>
   *[withdrawn] 🚫 <b>Dieses Angebot wurde zurückgezogen</b>
}

## Tafeln und Spenden

charity-usage = So geht's: /charity invite &lt;Name&gt;, &lt;Gebiet&gt; (zum Beispiel <code>/charity invite Tafel Mitte, Berlin-Mitte</code>) oder /charity für die Liste.
charity-invited =
    🤝 Einladung für <b>{ $name }</b> ({ $area }) erstellt. Schick diesen Link an die Kontaktperson der Organisation; er meldet die erste Person an, die ihn öffnet, einmalig:
    { $link }
no-charities = Noch keine Organisationen. /charity invite &lt;Name&gt;, &lt;Gebiet&gt; lädt eine ein.
charities-list =
    🤝 <b>Organisationen</b>
    { $lines }
charity-line = #{ $id } <b>{ $name }</b> ({ $area }) – { $state ->
    [invited] eingeladen, noch nicht angemeldet
    [unplaced] angemeldet, noch ohne Abholgebiet
   *[registered] angemeldet
}
charity-link-unknown = Dieser Einladungslink ist ungültig. Bitte frag das Glean-Team nach einem neuen.
charity-link-used = Diese Einladung hat schon jemand anderes genutzt. Bitte frag das Glean-Team nach einer neuen.
charity-other = Du bist bereits für die Organisation <b>{ $name }</b> angemeldet; ein Konto kann nur eine Organisation vertreten.
charity-welcome = 🤝 Willkommen! Du bist jetzt für <b>{ $name }</b> angemeldet. Wenn Läden in deiner Nähe kurz vor Ladenschluss noch Essen übrig haben, biete ich es dir hier an, kostenlos.
charity-already = Du bist bereits für <b>{ $name }</b> angemeldet.
charity-where = <b>Wo holt ihr Essen ab?</b> Schick deinen Standort über die Schaltfläche oder gib Koordinaten ein, etwa <code>52.52, 13.40</code>. Ich biete dir dann Essen von Läden in der Nähe an.
charity-location-saved = 📍 Gespeichert. Ich biete dir übrige Lebensmittel von Läden in der Nähe an.
a-charity = Eine Organisation
donation-offered =
    🤝 <b>Essen zum kostenlosen Abholen</b>
    <b>{ $title }</b> bei { $shop } hat noch übrig:
    { $lines }
    🕒 Abholung: { $pickup }
    📍 { $address }

    Die erste Organisation, die zusagt, bekommt es.
donation-line = { $quantity } × { $name }
donation-line-unit = { $quantity } × { $name } ({ $unit })
accept-donation = 🤝 Wir holen es ab
decline-donation = Diesmal nicht
donation-gone-answer = Eine andere Organisation war schneller, oder es ist nichts mehr übrig. Trotzdem danke!
donation-gone = Das übrige Essen von <b>{ $title }</b> ist an eine andere Organisation gegangen. Trotzdem danke!
donation-taken-answer = ✅ Spende #{ $id } gehört euch; der Abholcode kommt gleich.
donation-not-offered = Dieses Angebot wurde dir nicht gemacht.
donation-declined = In Ordnung, vielleicht beim nächsten Mal.
donation-yours =
    ✅ Es gehört euch, kostenlos: <b>{ $title }</b> (Spende #{ $id })
    { $lines }
    🕒 Abholung: { $pickup }
    📍 { $address }

    Euer Abholcode: <b>{ $code }</b>
donation-coming =
    🤝 <b>{ $charity }</b> holt ab, was von <b>{ $title }</b> übrig ist (Spende #{ $id }):
    { $lines }
    Ihr Abholcode: <b>{ $code }</b>. Bestätige ihn wie gewohnt mit /pickup.

## Abholorte: Spenden und Gewichte

venue-line = 📍 <b>{ $name }</b>, { $address }
venue-line-donate = { $donate ->
    [yes] 🤝 Übriges geht an Tafeln
   *[no] Übriges: wird nicht gespendet
}
venue-line-weight = {" "}· ⚖️ { $weight } pro Einheit
venue-donate-button = { $donate ->
    [yes] 🤝 { $name }: nicht mehr spenden
   *[no] 🤝 { $name }: Übriges spenden
}
venue-weight-button = ⚖️ { $name }: Gewicht pro Einheit
ask-unit-weight = <b>Wie viel wiegt eine Einheit bei { $name }?</b> Etwa <code>400</code> (Gramm) oder <code>1,5 kg</code>. So werden gerettete Einheiten zu Kilogramm. Überspring es, wenn du es nicht weißt.
unit-weight-bad = ⚠️ Das ist kein Gewicht zwischen 1 g und 100 kg. Versuch es noch einmal, etwa 400 oder 1,5 kg.
unit-weight-saved = ⚖️ Gespeichert: Eine Einheit bei { $name } wiegt { $weight }.
unit-weight-unknown = ⚖️ Das Gewicht pro Einheit bei { $name } bleibt unbekannt.

## Wirkung

weight-g = { $g } g
weight-kg = { $kg } kg
impact-saved = 🌱 { $by ->
    [you] Du hast
    [glean] Glean hat
   *[shop] { $name } hat
} <b>{ $units }</b> { $units ->
    [one] Mahlzeit
   *[other] Mahlzeiten
} vor der Tonne gerettet
impact-weight = {" "}(≈{ $weight })
impact-donated = , { $units ->
    [one] eine davon
   *[other] { $units } davon
} an Tafeln gespendet
impact-none = 🌱 Hol dein erstes Angebot ab und fang an, Essen zu retten.
cmd-impact = Die Mahlzeiten, die du gerettet hast
cmd-charity = Organisationen: /charity invite <name>, <gebiet>

## Deine Daten (/privacy)

privacy-export-button = 📦 Meine Daten herunterladen
privacy-delete-button = 🗑 Meine Daten löschen
privacy-forget-location-button = 📍 Meinen Standort vergessen
privacy-confirm-delete-button = Ja, meine Daten löschen
privacy-keep-button = Nein, behalten
privacy-overview =
    🔒 <b>Deine Daten</b>

    Was Glean über dich speichert und warum:
    • <b>Dein Telegram-Name und Benutzername</b> — damit ich weiß, mit wem ich spreche.
    • <b>Deine Bestellungen</b> (Artikel, Preise, Abholcodes) — um sie abzuwickeln. Bestellungen, Zahlungen und Erstattungen werden für die Buchhaltung aufbewahrt, wie es das Gesetz verlangt; löschst du deine Daten, bleiben sie ohne deinen Namen erhalten.
    • <b>Läden, denen du folgst, deine Benachrichtigung für die Nähe und deine Ruhezeit</b> — um dir von Angeboten zu erzählen, bis du sie änderst.
    • <b>Der zuletzt geteilte Standort</b> — um dir die nächsten Angebote zu zeigen (hier und in der App) und ihn als Ort deiner ersten Benachrichtigung anzubieten. Gelöscht { $location_days } Tage nach der letzten Nutzung. { $has_location ->
        [yes] Ich habe einen Standort, den du geteilt hast.
       *[no] Ich habe gerade keinen Standort von dir.
    }
    • <b>Deine Nachrichten und Tastendrücke</b> — beim Eingang gespeichert, damit bei einem Neustart nichts verloren geht, dann gelöscht nach { $updates_days ->
        [one] { $updates_days } Tag
       *[other] { $updates_days } Tagen
    }.
    • <b>Ein Formular, das du gerade ausfüllst</b> (Anmeldung, neues Angebot, Benachrichtigungen) — bis du fertig bist, oder 30 Tage lang.
privacy-overview-business = • <b>Dein Betrieb</b>: Name, Telefon, Abholorte, Angebote und Verkäufe — um deinen Laden zu führen. Verkaufsbelege werden für die Buchhaltung aufbewahrt, wie es das Gesetz verlangt.
privacy-never-shared = Glean gibt deine Daten nie an andere Kunden weiter; ein Laden sieht deine Bestellungen, nicht deinen Namen.
privacy-export-caption = 📦 Alles, was Glean über dich gespeichert hat, als JSON.
privacy-nothing-held = Ich habe keine Daten über dich.
privacy-export-started = Ich stelle deine Daten zusammen…
privacy-confirm-delete =
    🗑 <b>Deine Daten löschen?</b>

    Dein Name und Benutzername, deine Telefonnummer, Standorte, deine Benachrichtigung für die Nähe und Ruhezeit, die Läden, denen du folgst, und unser Gespräch werden endgültig gelöscht. Deine Bestellungen bleiben ohne deinen Namen erhalten, wie es das Buchhaltungsrecht verlangt. Ein Betrieb, der dir gehört, wird geschlossen: Seine Angebote werden zurückgezogen und seine Telefonnummer gelöscht.

    Das lässt sich nicht rückgängig machen.
privacy-kept = Es wurde nichts gelöscht.
privacy-refused-orders = ⚠️ Du hast offene Bestellungen ({ $orders }). Hol sie ab oder storniere sie unter /orders und versuch es dann noch einmal: Bis dahin muss ich dir deine Abholcodes schicken können.
privacy-refused-refunds = ⚠️ Eine Erstattung ist noch unterwegs zu dir ({ $orders }). Warte, bis sie angekommen ist — ich sage dir Bescheid — und versuch es dann noch einmal: Ich muss dich wegen deines Geldes erreichen können.
privacy-refused-business = ⚠️ Dein Betrieb { $business } hat offene Bestellungen ({ $orders }). Lass sie abholen oder storniere bzw. ziehe sie unter /myoffers zurück und versuch es dann noch einmal: Diese Kunden bekommen noch Essen oder Geld.
privacy-and-more = { $list } und { $more } weitere
privacy-nothing-left = Es gibt nichts mehr von dir zu löschen. Frühere Bestellungen sind nur noch unter einer anonymen Nummer gespeichert.
privacy-erased =
    ✅ <b>Deine Daten sind gelöscht.</b>

    Gelöscht: dein Name und Benutzername, deine Telefonnummer, Standorte, deine Benachrichtigung für die Nähe und Ruhezeit, die Läden, denen du gefolgt bist, und unser Gespräch (gespeicherte Nachrichten und ein unfertiges Formular).
privacy-erased-orders = Behalten: { $orders ->
    [one] 1 Bestellung mit ihren Zahlungen und Erstattungen
   *[other] { $orders } Bestellungen mit ihren Zahlungen und Erstattungen
}, unter einer anonymen Nummer statt deines Namens. Das Buchhaltungsrecht verpflichtet Läden und Glean, Verkäufe zu belegen.
privacy-erased-business = Dein Betrieb ist geschlossen: Seine Angebote wurden zurückgezogen und seine Telefonnummer gelöscht; Name, Abholorte und Verkäufe bleiben aus demselben Grund in den Unterlagen.
privacy-erased-charity = Die Organisation, deren Kontakt du warst, bleibt mit ihrem Namen in den Unterlagen, bekommt aber kein übriges Essen mehr, bis ein Admin einen neuen Kontakt einlädt.
privacy-goodbye = Tschüss! Wenn du mir wieder schreibst, fange ich von vorne an.
privacy-location-forgotten = 📍 Erledigt: Ich habe deinen Standort vergessen. Teile ihn unter /deals wieder, wann immer du magst.
privacy-no-location = Ich habe keinen Standort von dir.
privacy-request-usage = So geht's: /privacy_request &lt;Nutzer-ID&gt; export|delete
privacy-request-nothing-held = Glean hat keine Daten über Nutzer { $user }.
privacy-request-export-caption = 📦 Alles, was Glean über Nutzer { $user } gespeichert hat. Schick es nur an diese Person und lösch danach deine Kopie.
privacy-request-why-orders = die Bestellungen { $orders } sind noch offen
privacy-request-why-refunds = Erstattungen der Bestellungen { $orders } sind noch nicht angekommen
privacy-request-why-business = der Betrieb { $business } hat offene Bestellungen { $orders }
privacy-request-refused = ⚠️ Die Daten von Nutzer { $user } lassen sich noch nicht löschen: { $why }. Es wurde nichts geändert.
privacy-request-nothing-left = Für Nutzer { $user } gab es nichts mehr zu löschen.
privacy-request-erased = ✅ Die Daten von Nutzer { $user } sind gelöscht. Ohne Namen behalten: { $orders ->
    [one] 1 Bestellung
   *[other] { $orders } Bestellungen
}{ $businesses ->
    [0] {""}
    [one] , 1 Betrieb
   *[other] , { $businesses } Betriebe
}. { $told ->
    [yes] Die Person hat eine letzte Nachricht bekommen.
   *[no] Ich konnte der Person keine letzte Nachricht schicken.
}
cmd-privacy = Deine Daten: herunterladen, löschen, Standort vergessen
cmd-privacy-request = Daten einer Person exportieren oder löschen: /privacy_request <id> export|delete

## The Mini App in chat

map-button = 🗺 Karte
open-in-app = 📱 In der App öffnen
menu-button = Angebote

## The Mini App: its API's messages

app-open-from-telegram = Öffne diese Seite über den Glean-Bot in Telegram: Nur so wissen wir, wer du bist.
app-not-confirmed = Wir konnten nicht bestätigen, dass du es bist. Schließe diese Seite und öffne sie erneut über den Glean-Bot.
app-stale = Diese Seite ist schon zu lange geöffnet. Schließe sie und öffne sie erneut über den Glean-Bot.
app-malformed = Die Anmeldedaten von Telegram sind beschädigt. Schließe diese Seite und öffne sie erneut über den Bot.
app-no-bot-token = Das Schaufenster ist auf diesem Server noch nicht eingerichtet.
app-sold-out = Leider ist für diese Bestellung nicht mehr genug übrig.
app-payment-unavailable = Zahlungen sind gerade nicht möglich; es wurde nichts reserviert. Bitte versuche es in einer Minute noch einmal.
app-cancel-try-again = Der Zahlungsdienst ist gerade nicht erreichbar; bitte versuche das Stornieren in einer Minute noch einmal.
app-no-such-deal = Dieses Angebot gibt es nicht mehr.
app-no-such-order = Du hast keine Bestellung mit dieser Nummer.
app-no-such-shop = Diesen Laden gibt es nicht.
app-bad-key = key muss aus 8 bis 64 Buchstaben, Ziffern, - oder _ bestehen
app-bad-quantity = quantity muss eine ganze Zahl ab 1 sein
app-bad-near = gib Breiten- und Längengrad in Dezimalgrad an, etwa near=52.52,13.405
app-bad-when = eines von now, today, tomorrow
app-bad-body = der Inhalt der Anfrage ist nicht das JSON, das dieser Endpunkt erwartet: { $detail }

## The Mini App: the page

app-title = Glean – Angebote in deiner Nähe
app-loading = Angebote werden geladen…
app-tab-list = ☰ Liste
app-tab-map = 🗺 Karte
app-tab-orders = 🧾 Meine Bestellungen
app-when-any = Jederzeit
app-when-now = Jetzt abholen
app-when-today = Heute
app-when-tomorrow = Morgen
app-search-placeholder = Brot, vegan, Laden suchen…
app-search-label = Angebote durchsuchen
app-ranked-nearest = Die nächsten zuerst
app-ranked-popular = Die frischesten und beliebtesten zuerst · teile deinen Standort für Angebote in deiner Nähe
app-empty = Gerade gibt es keine Angebote in deiner Nähe. Schau später wieder vorbei oder folge Läden im Bot, um als Erste·r davon zu hören.
app-empty-filtered = Keine passenden Angebote. Versuch eine andere Zeit oder weniger Wörter.
app-map-label = Karte der Angebote
app-map-failed = Die Karte lässt sich gerade nicht laden. In der Liste findest du alle Angebote.
app-map-you = Du
app-reopen = Bitte öffne Glean erneut
app-try-again = Noch einmal versuchen
app-offline = Wir erreichen Glean gerade nicht. Prüfe deine Verbindung und versuch es noch einmal.
app-rate-limited = Das war etwas viel auf einmal. Bitte warte einen Moment und versuch es dann noch einmal.
app-internal = Entschuldigung, bei uns ist etwas schiefgelaufen. Bitte versuch es gleich noch einmal.
app-reserve = Reservieren
app-reserve-qty = { $qty } × { $price } reservieren
app-next-drop = 📉 { $price } ab { $at }
app-one-less = Eins weniger
app-one-more = Eins mehr
app-follow = ⭐ { $name } folgen
app-unfollow = ✖️ { $name } nicht mehr folgen
app-followed = Von neuen Angeboten von { $name } erfährst du im Bot.
app-unfollowed = Du folgst { $name } nicht mehr.
app-open-in-maps = In Karten öffnen ↗
app-whats-in-it = Was drin ist
app-how-many = Wie viele?
app-order-title = Bestellung Nr. { $id }
app-show-at-pickup = Zeig das bei der Abholung vor
app-pay-to-confirm = Für dich reserviert. Bezahle, um die Bestellung zu bestätigen.
app-pay-to-confirm-by = Für dich reserviert. Bezahle bis { $time } Uhr, um die Bestellung zu bestätigen.
app-pay = { $total } bezahlen
app-total = Gesamt { $total }
app-pickup-code = Abholcode
app-cancel = Stornieren
app-cancel-reservation = Reservierung stornieren
app-cancel-order = Bestellung stornieren
app-reserved-toast = Reserviert! Dein Abholcode ist { $code }.
app-my-orders = Meine Bestellungen
app-no-orders = Noch keine Bestellungen. Such dir ein Angebot aus und reserviere es hier.
app-cancel-question = Bestellung Nr. { $id } stornieren?
app-cancel-question-refund = Bestellung Nr. { $id } stornieren? Du bekommst { $amount } zurück.
app-order-is = Bestellung Nr. { $id } ist { $status }.
app-qr-label = QR-Code des Abholcodes

## Preise, die zur Abholung hin sinken

offer-drops = <b>Soll der Preis zur Abholung hin sinken?</b> Kunden sehen die nächste Senkung auf der Karte, und eine Reservierung behält den Preis, zu dem sie gemacht wurde.
drop-rule = −{ $percent } % alle { $every } Min. in den letzten { $hours } Std.
no-drops = Keine Preissenkungen
offer-drop-floor = Was ist der <b>niedrigste Preis</b>, auf den eine Einheit sinken darf? Gib ihn in { $currency } ein (höchstens { $deal }).
err-floor-above-deal = der niedrigste Preis kann nicht über dem Angebotspreis ({ $deal }) liegen
err-floor-below-stripe = Kartenzahlungen brauchen mindestens { $min }, also darf der niedrigste Preis nicht darunter liegen
err-floor-currency = gib den niedrigsten Preis in der Währung des Angebots ein
card-price-drop = <b>{ $now }</b> jetzt, { $next } ab { $at }
manage-drops = 📉 { $rule }, bis { $floor }
stop-drops = 📉 Preissenkungen beenden
watch-button = 🔔 Sag mir unter …
watch-follow-first = Folge zuerst { $shop } (⭐ auf der Karte), um zu hören, wenn die Preise sinken.
watch-ask = 🔔 Dir Bescheid sagen, wenn <b>{ $title }</b> höchstens … kostet? Jetzt { $now }, es kann bis { $floor } sinken. Wähl einen Preis oder gib einen ein.
watch-set = 🔔 Ich sag dir Bescheid, wenn <b>{ $title }</b> { $below } oder weniger kostet.
watch-gone = Dieses Angebot wird nicht mehr billiger.
err-watch-not-below = das liegt nicht unter dem Preis von jetzt ({ $now }); wähl einen niedrigeren
err-watch-below-floor = es wird nie billiger als { $floor }; wähl diesen Preis oder mehr
price-dropped = 📉 <b>{ $title }</b> von { $shop } kostet jetzt { $price } – du wolltest es unter { $below } wissen.

## Getting paid: Stripe Connect, /sales, statements, /finance, /apikey

connect-get-paid-button = 💶 Kartenzahlungen erhalten
connect-statement-button = 📄 Abrechnung
connect-continue-button = Weiter zu Stripe
connect-off = Auszahlungen über Stripe sind hier nicht eingeschaltet: Kartenzahlungen deiner Kundschaft gehen an Glean, und Glean überweist dir dein Geld selbst. /sales zeigt, was dir zusteht.
connect-no-business = Melde zuerst deinen Betrieb mit /register an.
connect-not-verified = Dein Betrieb ist noch nicht freigeschaltet. Sobald ein Admin ihn freigeschaltet hat, kannst du Kartenzahlungen einrichten.
connect-ask-country =
    <b>Kartenzahlungen erhalten · 1/2</b>
    Kartenzahlungen gehen direkt auf dein eigenes Stripe-Konto, und Stripe zahlt sie auf dein Bankkonto aus.

    In welchem Land ist dein Betrieb? Tippe darauf oder gib den zweistelligen Ländercode ein (Standard: { $country }).
connect-ask-email =
    <b>Kartenzahlungen erhalten · 2/2</b>
    Welche E-Mail-Adresse soll Stripe für dein Auszahlungskonto verwenden? Stripe schreibt dir dorthin.
connect-stripe-unavailable = Stripe ist gerade nicht erreichbar. Bitte versuch es in einer Minute noch einmal: Es wurde noch nichts eingerichtet.
connect-country-not-a-code = Bitte gib einen zweistelligen Ländercode wie DE oder FR ein.
connect-country-unsupported = Auszahlungen über Stripe gibt es in { $code } nicht. Tippe auf ein Land oder gib seinen zweistelligen Code ein.
connect-bad-email = Das sieht nicht nach einer E-Mail-Adresse aus; gib eine wie laden@example.com ein.
connect-status-title = <b>Kartenzahlungen · { $business }</b>
connect-can-charge = ✅ Du kannst Kartenzahlungen annehmen: Deine Kundschaft zahlt mit Karte, und das Geld geht auf dein Stripe-Konto.
connect-cannot-charge = ⏳ Kartenzahlungen sind noch nicht aktiv: Bis Stripe alles hat, was es braucht, zahlt deine Kundschaft bei der Abholung.
connect-payouts-on = ✅ Auszahlungen auf dein Bankkonto sind aktiv.
connect-payouts-off = ⏳ Auszahlungen auf dein Bankkonto sind noch nicht aktiv.
connect-needs-details = Stripe braucht noch ein paar Angaben von dir: Tippe unten auf den Knopf, um bei Stripe fertig zu werden.
connect-nothing-yet = Noch nichts eingerichtet: /payouts
connect-account-created = Dein Auszahlungskonto kann eingerichtet werden. Tippe auf <b>{ connect-continue-button }</b>: Stripe fragt nach den Angaben zu deinem Betrieb und deiner Bank. Der Knopf funktioniert { $hours ->
    [one] { $hours } Stunde
   *[other] { $hours } Stunden
} lang; /payouts gibt dir einen neuen.
connect-pickup-only-on-publish = 💡 Bei diesem Angebot zahlt die Kundschaft bei der Abholung: Kartenzahlungen starten, sobald dein Stripe-Konto eingerichtet ist. /payouts
connect-notice-ready = 🎉 <b>{ $business }</b> kann jetzt Kartenzahlungen annehmen. Die Kundschaft zahlt mit Karte; das Geld geht auf dein Stripe-Konto und von dort auf dein Bankkonto. /sales zeigt die Zahlen.
connect-notice-needs-info = ⚠️ Stripe braucht etwas von <b>{ $business }</b>. Bis dahin zahlt die Kundschaft bei der Abholung. Schick /payouts, um bei Stripe fertig zu werden.
connect-notice-needs-info-why = ⚠️ Stripe braucht etwas von <b>{ $business }</b> (Stripe sagt: { $reason }). Bis dahin zahlt die Kundschaft bei der Abholung. Schick /payouts, um bei Stripe fertig zu werden.
payout-paid = 🏦 Eine Auszahlung von { $amount } auf das Bankkonto von <b>{ $business }</b> ist angekommen.
payout-failed = ❗ Eine Auszahlung von { $amount } auf das Bankkonto von <b>{ $business }</b> ist fehlgeschlagen: { $reason }. Das Geld ist zurück im Stripe-Guthaben; prüfe die Bankdaten mit /payouts.
payout-reason-unknown = kein Grund angegeben

# The pages of /connect/{token}, in the browser.
connect-page-expired-title = Dieser Link ist abgelaufen
connect-page-expired = Dieser Einrichtungslink gilt nicht mehr. Geh zurück zu Telegram und schick noch einmal <b>/payouts</b> (oder tippe auf <b>{ connect-get-paid-button }</b>), dann bekommst du einen neuen.
connect-page-stripe-down-title = Stripe ist nicht erreichbar
connect-page-stripe-down = Stripe ist gerade nicht erreichbar. Bitte versuch es in einer Minute noch einmal.
connect-page-off-title = Nicht verfügbar
connect-page-off = Auszahlungen per Karte sind hier nicht eingeschaltet. Du kannst zu Telegram zurückgehen.
connect-page-thanks-title = Danke!
connect-page-ready = Dein Konto ist eingerichtet: Du kannst Kartenzahlungen annehmen.
connect-page-needs-details = Stripe braucht noch ein paar Angaben. Wir haben dir den Link in Telegram noch einmal geschickt.
connect-page-checking = Stripe prüft deine Angaben.
connect-page-back = Du kannst jetzt zu Telegram zurückgehen: Dort haben wir dir geschrieben, wie es steht.

sales-no-business = Du hast noch keinen Betrieb. Melde mit /register einen an, um hier zu verkaufen.
sales-title = <b>Verkäufe · { $business }</b> (Kartenzahlungen)
sales-today = <b>Heute</b>
sales-week = <b>Diese Woche</b>
sales-month = <b>Dieser Monat</b>
sales-nothing = noch nichts
sales-line = brutto { $gross } · Gebühren { $fees } · Erstattungen { $refunds } · netto { $net } · ausgezahlt { $paid }
sales-balance-stripe = <b>Guthaben bei Stripe:</b> { $balance }
sales-balance-owed = <b>Glean schuldet dir:</b> { $balance }
statement-pick-month = Für welchen Monat?
statement-caption = 📄 Abrechnung { $month } · { $business } · { $totals }
statement-empty = keine Buchungen in diesem Monat
statement-net = netto { $amount }
statement-donated = { $units ->
    [one] { $units } Einheit
   *[other] { $units } Einheiten
} an Tafeln und Vereine gespendet

apikey-created =
    🔑 Dein API-Schlüssel (wird nur einmal gezeigt; bewahre ihn sicher auf):
    <code>{ $key }</code>

    GET /api/v1/businesses/{ $business }/statement?month=YYYY-MM mit dem Header <code>Authorization: Bearer { $key }</code>. /apikey revoke sperrt alle Schlüssel.
apikey-shown-already = 🔑 Dieses /apikey hat seinen Schlüssel schon erzeugt: Er steht in der Nachricht oben und wird nur einmal gezeigt. /apikey revoke sperrt ihn; /apikey erzeugt einen neuen.
apikey-revoked = { $n ->
    [one] { $n } API-Schlüssel gesperrt
   *[other] { $n } API-Schlüssel gesperrt
}. /apikey erzeugt einen neuen.
apikey-revoked-none = Es gab keinen gültigen API-Schlüssel zum Sperren.

finance-title = <b>Finanzen</b>
finance-margin = <b>Marge der Plattform</b>
finance-margin-line = { $currency }: Gebühren { $fees } · erstattete Gebühren { $back } · Stripe-Gebühren { $processing } · Marge { $margin }
finance-nothing = noch nichts
finance-none = keine
finance-balances = <b>Betriebe mit Guthaben</b>
finance-failed-payouts = <b>Fehlgeschlagene Auszahlungen</b>
finance-failed-payout = Betrieb #{ $id }: { $amount } ({ $object }) { $note }
finance-attention = <b>Konten, die Aufmerksamkeit brauchen</b>
finance-past-due = überfällig: { $fields }
finance-onboarding-unfinished = Einrichtung nicht abgeschlossen
fee-usage = So geht's: /fee &lt;Betriebs-ID&gt; &lt;Prozent&gt; [fix], z. B. /fee 12 7,5 0,30
fee-set = Gebühr für #{ $id } { $business }: { $rule } pro Bestellung, ab dem nächsten Bezahlvorgang.
fee-rule = { $percent } %
fee-rule-fixed = { $percent } % + { $fixed }
fee-refused = Nicht geändert: { $reason }
adjust-usage = So geht's: /adjust &lt;Betriebs-ID&gt; &lt;Betrag&gt; &lt;Grund&gt;, z. B. /adjust 12 -45,00 per Überweisung bezahlt (negativ: an den Betrieb gezahlt).
adjusted = { $amount } für #{ $id } { $business } im Kassenbuch verbucht.
err-fee-negative = Eine Gebühr kann nicht negativ sein.
err-fee-above-total = Eine Gebühr kann nicht über 100 % liegen.
err-fee-not-a-percent = Gib den Prozentsatz wie 7,5 ein (höchstens zwei Nachkommastellen).
err-fee-fixed = Der feste Anteil: { $reason }
err-adjust-amount = Der Betrag: { $reason }
err-adjust-zero = Eine Korrektur um null ändert nichts.
err-adjust-no-reason = Gib einen Grund an, z. B. /adjust 12 -45,00 per Überweisung bezahlt.

## Warteliste

wait-join-button = ⏳ Auf die Warteliste
wait-leave-place-button = 🚪 Warteliste verlassen (Platz { $position } von { $of })
wait-leave-button = 🚪 Warteliste verlassen
wait-choose-item = <b>Auf welchen Artikel willst du warten?</b>
wait-choose-quantity = <b>Wie viele möchtest du?</b> { $name } zu je { $price }. Wenn welche zurückkommen, halte ich sie für dich fest.
wait-joined =
    ⏳ <b>Du stehst auf der Warteliste</b> für { $title }: Platz { $position } von { $of }.
    Wenn { $quantity } zurückkommen, halte ich sie { $minutes ->
        [one] 1 Minute
       *[other] { $minutes } Minuten
    } für dich fest (nie während deiner Ruhezeit: Dann behältst du deinen Platz für die nächsten).
wait-already = Du stehst schon auf dieser Warteliste: Platz { $position } von { $of }.
wait-already-held = Für dich sind schon Einheiten festgehalten: Sieh in der Nachricht mit Bezahlen und Weitergeben nach.
wait-available = Es ist noch genug da: Kauf es lieber gleich.
wait-unavailable = Auf dieses Angebot kann man nicht warten.
wait-left = Du hast die Warteliste für { $title } verlassen.
wait-left-passed = Du hast die Warteliste verlassen; die für dich festgehaltenen Einheiten gehen an die nächste Person.
wait-not-waiting = Du stehst nicht auf dieser Warteliste.
wait-not-yours = Das ist nicht deine Reservierung.
wait-try-again = Die Zahlungen sind gerade nicht erreichbar. Versuch es bitte in einer Minute noch einmal.
wait-passed = ↪️ Weitergegeben. Die Einheiten gehen an die nächste wartende Person.
wait-hold-over = { $status ->
    [lapsed] ⌛ Diese Reservierung ist abgelaufen; die Einheiten gingen an die nächste Person.
    [passed] Du hast diese Reservierung schon weitergegeben.
    [bought] Das ist schon deine Bestellung.
    [left] Du hast diese Warteliste verlassen.
   *[closed] Die Warteliste dieses Angebots ist geschlossen.
}
wait-hold =
    ⏳ <b>Du bist dran!</b> Von { $title } ist etwas zurückgekommen und wird { $minutes ->
        [one] 1 Minute
       *[other] { $minutes } Minuten
    } für dich festgehalten:
    { $lines }
    Summe <b>{ $total }</b>

    { $atpickup ->
        [yes] Bestätige jetzt und bezahl bei der Abholung
       *[no] Bezahl jetzt
    } oder gib es an die nächste Person weiter.
wait-confirm-button = ✅ Bestätigen
wait-pay-button = 💳 { $total } bezahlen
wait-pass-button = ↪️ Weitergeben
wait-pay-link = 💳 <b>Bestellung #{ $id }</b>: Bezahl { $total } innerhalb von { $minutes ->
        [one] 1 Minute
       *[other] { $minutes } Minuten
    }; bis dahin sind die Einheiten für dich festgehalten.
wait-hold-lapsed = ⌛ Deine Reservierung für { $title } ist abgelaufen, die Einheiten gingen an die nächste Person. Du stehst nicht mehr auf dieser Warteliste; trag dich über die Karte des Angebots wieder ein, wenn du noch möchtest.
wait-closed = 🚫 { $title } wurde zurückgezogen, die Warteliste ist geschlossen.
wait-count = ⏳ { $count } warten
wait-orders-header = <b>Du wartest auf</b>
wait-orders-line = ⏳ { $title }: { $quantity } × { $item }, Platz { $position } von { $of }
wait-orders-line-held = ⏳ { $title }: gerade für dich festgehalten (Bestellung #{ $id })

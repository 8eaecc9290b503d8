# Glean українською. Тексти — це Telegram HTML: змінні з тим, що ввели
# користувачі, приходять уже екранованими. Кожне повідомлення англійського
# файлу має бути й тут (це перевіряє tests/it/locales.rs).

language-name = Українська

## Загальне

welcome =
    👋 <b>Вітаємо в Glean!</b>
    Магазини поруч продають надлишки їжі зі знижкою. Купуйте тут і забирайте у вказаний час.
    Що є зараз: /deals

    Маєте ферму, пекарню, крамницю чи кафе? Зареєструйте свій заклад через /register і публікуйте пропозиції.
    /help покаже все, що я вмію.
help-everyone =
    <b>Що я вмію</b>
    /deals – пропозиції поруч
    /orders – ваші замовлення
    /following – заклади, на які ви підписані
    /alerts – сповіщення про пропозиції, тихі години
    /impact – скільки їжі ви врятували
    Наберіть @ і моє ім’я в будь-якому чаті, щоб поділитися там пропозицією.
    /language – вибрати мову
    /start – привітання
    /help – цей список
    /cancel – скасувати поточну дію

    <b>Для закладів</b>
    /register – зареєструвати заклад
help-owner =
    /newoffer – нова пропозиція
    /publish – опублікувати чернетку
    /venues – ваші місця видачі
    /myoffers – керувати пропозиціями
    /pause &lt;id&gt;, /edit &lt;id&gt; – призупинити чи змінити пропозицію
    /pickup &lt;код&gt; – підтвердити видачу замовлення
    /impact – скільки їжі ви врятували
help-admin =
    <b>Для адміністраторів</b>
    /pending – заклади, що чекають на перевірку
    /verify &lt;id&gt; – підтвердити заклад
    /reject &lt;id&gt; &lt;причина&gt; – відхилити заклад
    /suspend &lt;id&gt; – заблокувати заклад
    /unsuspend &lt;id&gt; – зняти блокування
    /charity invite &lt;назва&gt;, &lt;район&gt; – запросити благодійну організацію; /charity – список
    /impact – усе, що врятував Glean
unknown-command = Я не знаю такої команди. /help покаже, що я вмію.
dont-understand = Я не зрозумів. /help покаже, що я вмію.
nothing-to-cancel = Немає чого скасовувати.
cancelled = Скасовано. Нічого не збережено.
busy-in-dialogue = Ви зараз посеред іншої дії. Завершіть її або спершу скасуйте через /cancel.
something-went-wrong = Вибачте, у нас щось пішло не так. Спробуйте ще раз за хвилинку.
stale-button = Ця кнопка з попереднього кроку; скористайтеся останнім повідомленням.
unknown-button = Ця кнопка більше не працює.
admins-only = Вибачте, це лише для адміністраторів Glean.
text-expected = Будь ласка, відповідайте текстом.
back = ⬅️ Назад
cancel = ✖️ Скасувати
skip = Пропустити ➡️
slow-down = 🐢 Не так швидко! Дайте мені секундочку.
problem = ⚠️ { $problem }
saved = ✅ Збережено.

## Мови

language-choose = 🌐 <b>Якою мовою мені писати?</b>
language-set = ✅ Відтепер пишу українською.
language-unsupported = Мовою «{ $code }» я поки не розмовляю. Я вмію: { $supported }.
    Надішліть /language і виберіть одну.

## Меню команд (простий текст, до 256 символів)

cmd-deals = Пропозиції поруч
cmd-orders = Ваші замовлення
cmd-following = Заклади, на які ви підписані
cmd-alerts = Сповіщення про пропозиції
cmd-language = Вибрати мову
cmd-start = Привітання
cmd-help = Що я вмію
cmd-register = Зареєструвати заклад
cmd-newoffer = Нова пропозиція
cmd-publish = Опублікувати чернетку
cmd-venues = Ваші місця видачі
cmd-myoffers = Керувати пропозиціями
cmd-pickup = Підтвердити видачу: /pickup КОД
cmd-cancel = Скасувати поточну дію
cmd-pending = Заклади, що чекають на перевірку
cmd-verify = Підтвердити заклад: /verify <id>
cmd-reject = Відхилити: /reject <id> <причина>
cmd-suspend = Заблокувати заклад: /suspend <id>
cmd-unsuspend = Зняти блокування: /unsuspend <id>
cmd-refunds = Невдалі повернення коштів
cmd-refund-retry = Повторити повернення: /refund_retry <номер замовлення>
cmd-refund-settled = Повернення здійснено поза Stripe: /refund_settled <номер замовлення>

## Дати

day-today = Сьогодні
day-tomorrow = Завтра
weekday = { $n ->
    [1] пн
    [2] вт
    [3] ср
    [4] чт
    [5] пт
    [6] сб
   *[7] нд
}
month = { $n ->
    [1] січ.
    [2] лют.
    [3] бер.
    [4] квіт.
    [5] трав.
    [6] черв.
    [7] лип.
    [8] серп.
    [9] вер.
    [10] жовт.
    [11] лист.
   *[12] груд.
}
date-short = { $weekday }, { $day } { $month }
date-long = { $weekday }, { $day } { $month } { $year } р.
distance-m = { $m } м
distance-km = { $km } км

## Реєстрація

reg-name =
    Зареєструймо ваш заклад. <b>Як він називається?</b>
    (Скасувати можна будь-коли через /cancel.)
reg-phone = <b>Контактний номер телефону?</b> Натисніть кнопку, щоб поділитися своїм, або введіть інший.
reg-share-phone = 📱 Поділитися номером
reg-address = <b>Де покупці забирають замовлення?</b> Введіть адресу (вулиця, будинок, місто).
reg-location = <b>Надішліть місце видачі</b> кнопкою (або 📎 → Геопозиція) чи введіть координати, наприклад 50.4501, 30.5234.
share-location = 📍 Надіслати геопозицію
reg-timezone =
    <b>У якому ви часовому поясі?</b> У ньому показуватиметься час видачі.
    Виберіть зі списку або введіть назву (наприклад, Europe/Kyiv). Типово: { $default }
reg-timezone-unknown = Я не знаю такого часового поясу. Введіть його назву IANA, наприклад Europe/Kyiv або America/New_York.
reg-currency = <b>У якій валюті ви продаєте?</b> Виберіть або введіть її код (наприклад, EUR).
reg-done =
    ✅ Дякуємо! <b>{ $name }</b> зареєстровано, заклад чекає на перевірку.
    Я напишу, щойно адміністратор його перегляне.
admin-new-business =
    🆕 <b>Заклад #{ $id } на перевірку</b>
    { $name }
    📞 { $phone }
    📍 { $address }
    👤 { $owner }
approve = ✅ Підтвердити
approved-toast = Підтверджено
reject = ❌ Відхилити
approved-note = ✅ Підтвердив(-ла) { $admin }
rejected-note = ❌ Відхилив(-ла) { $admin }: { $reason }
owner-verified = 🎉 <b>{ $name }</b> підтверджено! Опублікуйте першу пропозицію через /newoffer.
owner-rejected =
    На жаль, <b>{ $name }</b> не підтверджено: { $reason }
    Можете знову скористатися /register із виправленими даними.
owner-suspended = ⚠️ Адміністратори Glean заблокували <b>{ $name }</b>; поки що його пропозиції не можна публікувати.
owner-unsuspended = ✅ <b>{ $name }</b> знову активний. /newoffer — щоб опублікувати пропозицію.
ask-reject-reason = Чому <b>{ $name }</b> відхилено? Один рядок; власник його побачить.
no-reason-given = причину не вказано
already = { $name } вже { $status }.
business-now = { $name } тепер { $status }.
business-status = { $status ->
    [pending] чекає на перевірку
    [verified] підтверджений
    [rejected] відхилений
    [suspended] заблокований
   *[other] { $status }
}
no-pending = Жоден заклад не чекає на перевірку.
usage-verify = Використання: /verify &lt;номер закладу&gt;
usage-reject = Використання: /reject &lt;номер закладу&gt; &lt;причина&gt;
usage-suspend = Використання: /suspend &lt;номер закладу&gt;
usage-unsuspend = Використання: /unsuspend &lt;номер закладу&gt;
no-business = Закладу #{ $id } не існує.

## Пропозиції

need-verified-business = Щоб публікувати пропозиції, потрібен підтверджений заклад. Зареєструйте його через /register; я повідомлю, коли його підтвердять.
pending-business = Ваш заклад ще чекає на перевірку. Я повідомлю, коли її завершать.
offer-venue = <b>Для якого місця видачі ця пропозиція?</b>
offer-title =
    Створімо пропозицію. <b>Як вона називається?</b> (наприклад, «Пакет хліба» чи «Овочевий набір»)
    (Скасувати можна будь-коли через /cancel.)
offer-description = <b>Короткий опис?</b> Що всередині, алергени, усе важливе. Або пропустіть.
offer-item-first = <b>Який перший товар?</b> Його назва, наприклад «Хліб на заквасці».
offer-item-next = <b>Товар { $n }: як він називається?</b>
offer-item-unit = <b>Що таке одна одиниця?</b> Наприклад, «1 буханка», «ящик 2 кг» чи «пакет із 4 шт.».
offer-item-original = <b>Звичайна ціна</b> за одиницю, у { $currency }? Наприклад, 5,00
offer-item-deal = <b>Ваша ціна зі знижкою</b> у { $currency }? Не більше за звичайну { $original }.
offer-item-quantity = <b>Скільки одиниць</b> у вас є?
offer-items-so-far =
    Товари на цей момент:
    { $lines }

    Додати ще товар чи продовжити?
offer-item-line = • { $name } ({ $unit }): { $deal } замість { $original }, { $quantity ->
    [one] { $quantity } одиниця
    [few] { $quantity } одиниці
    [many] { $quantity } одиниць
   *[other] { $quantity } одиниці
}
add-item = ➕ Додати ще товар
items-done = Продовжити ➡️
offer-window =
    <b>Коли покупці можуть забрати?</b> Час указано за поясом { $tz }.
    Наприклад: <code>сьогодні 18:00-20:00</code>, <code>завтра 9-11</code> або <code>2026-12-01 18:00-20:00</code>
offer-photo = <b>Надішліть фото</b> їжі (як фото або як файл: JPEG, PNG чи WebP, до 10 МБ). Або пропустіть.
photo-working = Отримав, обробляю фото…
photo-expected = Будь ласка, надішліть фото (або файл JPEG, PNG чи WebP) чи натисніть «Пропустити».
preview-intro = 👀 <b>Попередній перегляд</b> – так покупці побачать вашу пропозицію:
publish = ✅ Опублікувати
edit = ✏️ Змінити
discard = 🗑 Видалити
edit-what = Що ви хочете змінити?
edit-field-title = Назву
edit-field-description = Опис
edit-field-items = Товари
edit-field-window = Час видачі
edit-field-photo = Фото
back-to-preview = ⬅️ Назад до перегляду
discarded = 🗑 Чернетку видалено.
published =
    🚀 <b>{ $title }</b> опубліковано! Покупці знайдуть її в /deals.
    Поділитися: { $link }
published-mark = ✅ Опубліковано
no-draft = У вас немає чернетки. Почніть нову через /newoffer.
draft-incomplete = Ваша чернетка ще не завершена; спершу доробімо її.
publish-refused = Не вдалося опублікувати: { $reason }.
window-ended-send-new = Час видачі вже минув. Будь ласка, вкажіть новий.
too-many-items = Більше товарів в одній пропозиції бути не може.

## Місця видачі

venues-list =
    <b>Ваші місця видачі</b>
    { $lines }
add-venue = ➕ Додати місце видачі
venue-name = <b>Як назвати це місце видачі?</b> Наприклад, «Ятка на ринку» чи «Головний магазин».
venue-added = ✅ Місце видачі <b>{ $name }</b> додано. Тепер його можна вибрати в /newoffer.
location-saved = 📍 Дякую, я зберіг вашу геопозицію.

## Посилання

offer-not-found = Не можу знайти цю пропозицію. Можливо, її видалили.
business-not-found = Не можу знайти цей заклад.
business-profile = <b>{ $name }</b>
    { $deals ->
        [0] Зараз пропозицій немає. Загляньте згодом!
        [one] Зараз { $deals } пропозиція:
        [few] Зараз { $deals } пропозиції:
        [many] Зараз { $deals } пропозицій:
       *[other] Зараз { $deals } пропозиції:
    }
venue-location-button = 📍 Показати на мапі

## Картка пропозиції та списки

card-sold-out = розпродано
card-left = { $n ->
    [one] залишилася { $n } одиниця
    [few] залишилося { $n } одиниці
    [many] залишилося { $n } одиниць
   *[other] залишилося { $n } одиниці
}
card-pickup = 🕒 Видача: { $window } ({ $tz })
card-from = від <b>{ $price }</b>
price-from = від { $price }
offer-unavailable = { $status ->
    [draft] Цю пропозицію ще не опубліковано.
    [paused] Заклад зараз призупинив цю пропозицію.
    [sold_out] На жаль, цю пропозицію розпродано.
    [expired] Ця пропозиція завершилася: час видачі минув.
   *[withdrawn] Заклад відкликав цю пропозицію.
}
offer-status = { $status ->
    [draft] чернетка
    [active] активна
    [paused] призупинена
    [sold_out] розпродана
    [expired] завершена
   *[withdrawn] відкликана
}
deals-empty = Зараз пропозицій немає. Загляньте згодом!
deals-header = { $nearest ->
    [yes] 🔥 <b>Пропозиції поруч</b>, спершу найближчі
   *[no] 🔥 <b>Пропозиції</b>, спершу найсвіжіші та найпопулярніші
}
deals-page = { $header } · сторінка { $page }/{ $pages }
share-location-hint = 📍 Поділіться геопозицією, щоб спершу бачити найближчі пропозиції.
previous = ◀️ Назад
next = Далі ▶️
buy = 🛒 Купити
list-expired = Цей список застарів; ось свіжий.

## Купівля

choose-item = <b>Який товар?</b>
choose-quantity = <b>Скільки?</b> { $name } по { $price } ({ $left ->
    [one] залишилася { $left }
   *[other] залишилося { $left }
})
reserved-pay =
    🧺 <b>Замовлення #{ $id } заброньовано</b> на { $minutes ->
        [one] { $minutes } хвилину
        [few] { $minutes } хвилини
        [many] { $minutes } хвилин
       *[other] { $minutes } хвилини
    }:
    { $lines }
    Разом <b>{ $total }</b>

    Оплатіть зараз, щоб підтвердити.
pay-button = 💳 Оплатити { $total }
cancel-reservation = ✖️ Скасувати бронювання
reserved-toast = Заброньовано!
sold-out-now = На жаль, стільки вже не залишилося. Нічого не заброньовано.
payment-unavailable = На жаль, оплата зараз не працює. Нічого не заброньовано й не списано; спробуйте ще раз за хвилину.
order-confirmed =
    ✅ <b>Замовлення #{ $id } підтверджено!</b>
    Код для отримання: <b>{ $code }</b>
    { $lines }
    { $at_pickup ->
        [yes] Оплата { $total } під час отримання.
       *[no] Оплачено { $total }.
    }

    🕒 { $window }
    📍 { $venue }, { $address }

    Покажіть код під час отримання. { $left ->
        [one] Від цієї пропозиції залишилася { $left } одиниця.
        [few] Від цієї пропозиції залишилося { $left } одиниці.
        [many] Від цієї пропозиції залишилося { $left } одиниць.
       *[other] Від цієї пропозиції залишилося { $left } одиниці.
    }
order-line = { $quantity } × { $name } ({ $price })
order-item = товар
business-new-order =
    🛒 <b>Нове замовлення #{ $id }</b> на { $title } ({ $at_pickup ->
        [yes] оплата під час отримання
       *[no] оплачено
    }):
    { $lines }
    Код для отримання: <b>{ $code }</b>
    { $left ->
        [one] Залишилася { $left } одиниця.
        [few] Залишилося { $left } одиниці.
        [many] Залишилося { $left } одиниць.
       *[other] Залишилося { $left } одиниці.
    }
business-order-cancelled = ↩️ Покупець скасував замовлення #{ $id } (код { $code }); одиниці знову в продажу.
reservation-lapsed = ⌛ Бронювання минуло до оплати, тож їжа знову в продажу. Нічого не списано.
paid-too-late = На жаль, оплата надійшла після завершення бронювання, і пропозиції вже немає. Ваші { $total } повертаються повністю.
refunded = 💸 Замовлення #{ $id }: повернення { $total } здійснено. Залежно від банку кошти з’являться на картці протягом 5–10 днів.
already-withdrawn = 🗑 <b>{ $title }</b> відкликано; покупців повідомлено.
order-is = Замовлення #{ $id }: { $status }.
order-status = { $status ->
    [reserved] заброньоване, чекає на оплату
    [confirmed] підтверджене, оплата під час отримання
    [paid] оплачене
    [picked_up] отримане
    [expired] прострочене (не оплачене вчасно)
    [cancelled] скасоване
    [refund_pending] скасоване, кошти повертаються
    [refunded] кошти повернено
    [refund_failed] повернення не вдалося, ми цим займаємося
    [refund_settled] кошти повернено поза Stripe
    [no_show] не отримане
   *[other] { $status }
}
paid-too-late-order = На жаль, оплата замовлення #{ $id } надійшла після завершення бронювання, і пропозиції вже немає. Ваші { $total } повертаються повністю.
refund-failed = ⚠️ Замовлення #{ $id }: повернення { $total } на вашу картку не вдалося. Ми повідомили нашу команду й усе з вами владнаємо; вам нічого робити не потрібно.
refund-failed-staff =
    ⚠️ <b>Повернення не вдалося</b> для замовлення #{ $id }: { $total } покупцеві { $customer }.
    Причина: { $reason }
    Адміністраторам: <code>/refund_retry { $id }</code> — спробувати ще раз; <code>/refund_settled { $id }</code> — позначити як здійснене поза Stripe.
refund-reason-unknown = не вказано
refund-retried = 🔁 Замовлення #{ $id }: повернення знову в черзі (нова спроба в Stripe).
refund-settled = ✅ Замовлення #{ $id }: невдале повернення позначено як здійснене поза Stripe.
refund-usage = Використання: /refund_retry &lt;номер замовлення&gt; або /refund_settled &lt;номер замовлення&gt; (для замовлення з невдалим поверненням).
failed-refund-line = #{ $id } · { $total } · покупець { $customer } · { $reason }
owner-id = id { $id }
no-failed-refunds = Невдалих повернень немає. 👍
failed-refunds =
    <b>Невдалі повернення</b>
    { $list }
my-order-code = Код для отримання <b>{ $code }</b> · 🕒 { $window }
no-orders = У вас ще немає замовлень. Знайдіть пропозицію через /deals.
orders-header = 🧾 <b>Ваші замовлення</b>
cancel-order-button = Скасувати #{ $id }
confirm-cancel-refund = Скасувати замовлення #{ $id }? Вам повернуть { $total } повністю.
confirm-cancel = Скасувати замовлення #{ $id }?
yes-cancel = Так, скасувати
keep-it = Залишити
order-cancelled-refund = Замовлення #{ $id } скасовано. Ваші { $total } повернуть.
order-cancelled = Замовлення #{ $id } скасовано.
kept = Гаразд, замовлення залишається.
below-stripe-minimum = для оплати карткою потрібно щонайменше { $min } за товар; підвищте ціну

## Керування пропозиціями

withdrawn-refund = 😔 На жаль, заклад відкликав <b>{ $title }</b>. Замовлення #{ $id } скасовано, ваші { $total } повертаються повністю.
withdrawn-released = 😔 На жаль, заклад відкликав <b>{ $title }</b>. Замовлення #{ $id } скасовано; нічого не списано.
thanks-for-pickup = 🙏 Дякуємо, що забрали <b>{ $title }</b> і врятували добру їжу! Смачного.
myoffers-empty = У вас ще немає пропозицій. /newoffer — створити.
myoffers-header = 📋 <b>Ваші пропозиції</b> (натисніть номер, щоб керувати)
myoffers-group = { $status ->
    [active] Активні
    [paused] Призупинені
    [sold_out] Розпродані
    [draft] Чернетки
    [expired] Завершені
   *[withdrawn] Відкликані
}
offer-counts = продано { $sold } · заброньовано { $reserved } · залишилося { $left }
manage-item = • { $name } ({ $unit }): { $deal } (звичайна { $original }) — продано { $sold } · заброньовано { $reserved } · залишилося { $left }
pause = ⏸ Призупинити
resume = ▶️ Відновити
edit-price = 💶 Змінити ціну
edit-quantity = 🔢 Змінити кількість
mark-sold-out = 🚫 Позначити розпроданою
withdraw = 🗑 Відкликати
orders = 🧾 Замовлення
pickup = ✅ Підтвердити видачу
back-to-list = ⬅️ Усі пропозиції
confirm-withdraw = Відкликати <b>{ $title }</b>? { $paid ->
    [one] { $paid } оплачене замовлення буде повністю повернено
    [few] { $paid } оплачені замовлення буде повністю повернено
   *[other] { $paid } оплачених замовлень буде повністю повернено
}, а { $open ->
    [one] { $open } інше замовлення скасовано
    [few] { $open } інші замовлення скасовано
   *[other] { $open } інших замовлень скасовано
}; кожного покупця буде повідомлено.
yes-withdraw = Так, відкликати
withdrawn-toast = Відкликано
now-status = Тепер { $status }
not-now = Неможливо, поки вона { $status }
withdrawn = 🗑 <b>{ $title }</b> відкликано. { $told ->
    [one] Повідомлено { $told } покупця.
   *[other] Повідомлено { $told } покупців.
}
choose-item-to-edit = Який товар?
ask-new-price = Нова ціна зі знижкою для <b>{ $name }</b>? Зараз { $current }, звичайна { $original }. Нові замовлення платитимуть нову ціну; наявні зберігають свою.
ask-new-quantity = Нова кількість для <b>{ $name }</b>? Зараз { $quantity }; уже продано або заброньовано { $committed }.
below-committed = { $committed ->
    [one] { $committed } одиницю вже продано або заброньовано; менше бути не може
    [few] { $committed } одиниці вже продано або заброньовано; менше бути не може
   *[other] { $committed } одиниць уже продано або заброньовано; менше бути не може
}
ask-pickup-code = Введіть код покупця для отримання (6 літер і цифр).
picked-up =
    ✅ Замовлення #{ $id } видано:
    { $lines }
pickup-code-line = код <b>{ $code }</b>
offer-order-line =
    #{ $id } · { $status } · { $what }
    { $lines }
not-yours = Це не ваша пропозиція.
no-orders-for-offer = На цю пропозицію ще немає замовлень.
offer-orders-header = 🧾 <b>Замовлення на { $title }</b>
usage-pause = Використання: /pause &lt;номер пропозиції&gt; (див. /myoffers)
usage-pickup = Використання: /pickup &lt;код&gt;

## Підписки та сповіщення

view = 👀 Переглянути
follow-button = ⭐ Підписатися: { $name }
unfollow-button = ✖️ Відписатися: { $name }
now-following = ⭐ Ви підписані на { $name }: я повідомлятиму про нові пропозиції.
no-longer-following = Ви більше не підписані на { $name }.
following-empty = Ви ще ні на кого не підписані. Натисніть ⭐ Підписатися на пропозиції чи сторінці закладу, і я повідомлятиму про нові пропозиції.
following-list =
    ⭐ <b>Ваші підписки</b>
    Про їхні нові пропозиції ви дізнаєтеся першими.

    { $lines }
following-line = • <b>{ $name }</b>
following-line-deals = • <b>{ $name }</b> · { $deals ->
    [one] зараз { $deals } пропозиція
    [few] зараз { $deals } пропозиції
   *[other] зараз { $deals } пропозицій
}
alert-new-followed = 🔔 <b>{ $business }</b> має нову пропозицію:
alert-restock-followed = 🔁 Знову в наявності в <b>{ $business }</b>:
alert-new-distance = 📍 Нова пропозиція за { $distance } від вас:
alert-restock-distance = 🔁 Знову в наявності, за { $distance } від вас:
alert-new-near = 📍 Нова пропозиція поруч:
alert-restock-near = 🔁 Знову в наявності поруч:
alerts-title = 🔔 <b>Сповіщення про пропозиції</b>
alerts-nearby = Поруч: { $nearby }
alerts-nearby-off = Сповіщення про пропозиції поруч вимкнено. Увімкніть їх, і я писатиму, щойно поруч з’явиться пропозиція.
alerts-quiet = Тихі години: { $quiet } ({ $tz })
alerts-no-quiet = Тихі години: немає (часовий пояс { $tz })
alerts-following = { $n ->
    [0] Підписки: поки жодної.
    [one] Підписки: { $n } заклад, див. /following.
    [few] Підписки: { $n } заклади, див. /following.
   *[other] Підписки: { $n } закладів, див. /following.
}
nearby-summary-all = усі пропозиції в радіусі { $radius } від вашого місця
nearby-summary-keywords = пропозиції в радіусі { $radius } від вашого місця, де згадано { $keywords }
set-up-alerts = 🔔 Увімкнути сповіщення поруч
change-alerts = ✏️ Змінити сповіщення поруч
turn-off-alerts = 🔕 Вимкнути сповіщення поруч
quiet-hours-button = 🌙 Тихі години
alerts-ask-location =
    <b>За яким місцем стежити?</b> Надішліть геопозицію кнопкою (або 📎 → Геопозиція) чи введіть координати, наприклад 50.4501, 30.5234.
    (Скасувати можна будь-коли через /cancel.)
keep-place = Залишити моє місце ➡️
alerts-ask-radius = <b>Наскільки далеко від нього?</b>
radius-button = { $km } км
alerts-ask-keywords = <b>Лише пропозиції з певними словами?</b> Введіть їх через кому (наприклад, <code>хліб, веган</code>) або пропустіть, щоб отримувати всі.
alerts-ask-quiet =
    <b>Тихі години?</b> Сповіщення, що надійдуть у цей час, чекатимуть їх завершення.
    Час указано за поясом { $tz }; введіть інший пояс (наприклад, Europe/London), щоб змінити його, або власні години, як-от <code>23:30-06:30</code>.
no-quiet-hours = Без тихих годин
alerts-saved-quiet =
    ✅ Сповіщення ввімкнено: { $nearby }.
    Тихі години: { $quiet } ({ $tz }).
    Змінити можна будь-коли через /alerts.
alerts-saved =
    ✅ Сповіщення ввімкнено: { $nearby }.
    Без тихих годин.
    Змінити можна будь-коли через /alerts.
quiet-saved = 🌙 Тихі години встановлено: { $quiet } ({ $tz }). /alerts покаже ваші налаштування.
quiet-none-saved = 🌙 Без тихих годин (часовий пояс { $tz }). /alerts покаже ваші налаштування.
alerts-turned-off = 🔕 Сповіщення поруч вимкнено. Заклади, на які ви підписані, і далі повідомлятимуть про свої пропозиції (/following).
alerts-already-off = Сповіщення поруч уже вимкнено.

## Відмови

err-price-empty = Будь ласка, введіть ціну, наприклад 3,50.
err-price-negative = Ціна не може бути від’ємною.
err-price-decimals = { $n ->
    [0] У { $currency } немає копійок після коми.
    [one] У { $currency } щонайбільше { $n } знак після коми.
    [few] У { $currency } щонайбільше { $n } знаки після коми.
   *[other] У { $currency } щонайбільше { $n } знаків після коми.
}
err-price-too-large = Ця ціна завелика.
err-price-zero = Ціна має бути більшою за нуль.
err-price-unreadable = Це не схоже на ціну; введіть її, наприклад, так: 3,50.
err-currency = «{ $code }» — валюта, яку Glean не підтримує (скористайтеся кодом на кшталт EUR, USD чи GBP).
err-text-empty = Будь ласка, введіть щось.
err-text-too-long = Задовго: щонайбільше { $max } символів, а ви надіслали { $got }.
err-quantity-unreadable = Будь ласка, введіть ціле число, наприклад 5.
err-quantity-zero = Кількість має бути щонайменше 1.
err-quantity-too-many = Це більше ніж { $max } одиниць; введіть менше число.
err-quantity-impossible = Така кількість неможлива для одного замовлення.
err-window-ends-before-start = Час видачі має закінчуватися після початку.
err-window-too-short = Час видачі має тривати щонайменше 15 хвилин.
err-window-too-long = Час видачі може тривати щонайбільше 24 години.
err-window-in-past = Цей час видачі вже минув; виберіть час у майбутньому.
err-window-too-far = Час видачі має починатися протягом найближчих 30 днів.
err-window-no-such-time = { $time } у цей день у вашому часовому поясі не існує (переведення годинника); виберіть інший час.
err-window-unreadable = Не вдалося прочитати час. Спробуйте «сьогодні 18:00-20:00», «завтра 9-11» або «2026-12-01 18:00-20:00».
err-deal-above-original = Ціна зі знижкою ({ $deal }) не може бути вищою за звичайну ({ $original }).
err-mixed-currencies = Обидві ціни мають бути в одній валюті.
err-phone = Це не схоже на номер телефону; введіть його, наприклад, так: +380 44 123 4567.
err-coordinates-range = Широта має бути від -90 до 90, а довгота від -180 до 180.
err-coordinates-unreadable = Надішліть геопозицію кнопкою або введіть її, наприклад, так: 50.4501, 30.5234.
err-cancel-past-cutoff = Оплачені замовлення можна скасувати не пізніше ніж за { $hours } год до початку видачі; цей час минув.
err-not-cancellable = Це замовлення { $status }, його не можна скасувати.
err-order-not-yours = Це не ваше замовлення.
err-payments-try-again = Платіжна система зараз недоступна; спробуйте ще раз за хвилину.
err-publish-not-now = вона { $status }
err-publish-gone = її більше не існує
err-offer-gone = Цієї пропозиції більше не існує.
err-pickup-unknown-code = Жодне ваше замовлення не має такого коду; перевірте й спробуйте ще раз.
err-pickup-not-collectable = Це замовлення { $status }.
err-pickup-too-many-tries = Забагато неправильних кодів; зачекайте кілька хвилин.
err-alert-radius = Виберіть радіус: 1, 3, 5 або 10 км.
err-alert-keywords = Щонайбільше { $max } слів, кожне до { $chars } символів, через кому.
err-alert-quiet-hours = Введіть тихі години, наприклад, так: 22:00-07:00 (початок і кінець мають відрізнятися).
err-photo-too-large = Файл завеликий: щонайбільше { $max } МБ.
err-photo-too-many-pixels = Зображення завелике: щонайбільше { $max } мегапікселів.
err-photo-unreadable = Не можу прочитати це фото; надішліть зображення JPEG, PNG чи WebP.

## Поширення в групи (інлайн-режим)

buy-in-glean = 🛒 Купити в Glean
more-from-shop = 🏪 Більше від цього закладу
shared-card-over = { $status ->
    [sold_out] ❌ <b>Розпродано</b>
    [paused] ⏸ <b>Заклад поки призупинив пропозицію</b>
    [expired] ⌛ <b>Ця пропозиція завершилася</b>
   *[withdrawn] 🚫 <b>Цю пропозицію відкликано</b>
}

## Благодійні організації та пожертви

charity-usage = Використання: /charity invite &lt;назва&gt;, &lt;район&gt; (наприклад, <code>/charity invite Tafel Mitte, Berlin-Mitte</code>) або /charity для списку.
charity-invited =
    🤝 Запрошення для <b>{ $name }</b> ({ $area }) створено. Надішліть це посилання контактній особі організації; воно одноразово зареєструє першого, хто його відкриє:
    { $link }
no-charities = Організацій поки немає. /charity invite &lt;назва&gt;, &lt;район&gt; запрошує одну.
charities-list =
    🤝 <b>Благодійні організації</b>
    { $lines }
charity-line = #{ $id } <b>{ $name }</b> ({ $area }) – { $state ->
    [invited] запрошена, ще не зареєстрована
    [unplaced] зареєстрована, район видачі ще не вказано
   *[registered] зареєстрована
}
charity-link-unknown = Це посилання-запрошення недійсне. Попросіть команду Glean про нове.
charity-link-used = Цим запрошенням уже скористався хтось інший. Попросіть команду Glean про нове.
charity-other = Ви вже зареєстровані від організації <b>{ $name }</b>; один обліковий запис представляє одну організацію.
charity-welcome = 🤝 Вітаємо! Тепер ви зареєстровані від <b>{ $name }</b>. Коли в закладах поруч перед закриттям залишатиметься їжа, я пропонуватиму її вам тут безкоштовно.
charity-already = Ви вже зареєстровані від <b>{ $name }</b>.
charity-where = <b>Де ви забираєте їжу?</b> Надішліть геопозицію кнопкою або введіть координати, наприклад <code>50.45, 30.52</code>. Я пропонуватиму їжу із закладів поруч.
charity-location-saved = 📍 Збережено. Я пропонуватиму вам залишки їжі із закладів поруч.
a-charity = Благодійна організація
donation-offered =
    🤝 <b>Їжа, яку можна забрати безкоштовно</b>
    У <b>{ $title }</b> від { $shop } залишилося:
    { $lines }
    🕒 Видача: { $pickup }
    📍 { $address }

    Її отримає організація, яка погодиться першою.
donation-line = { $quantity } × { $name }
donation-line-unit = { $quantity } × { $name } ({ $unit })
accept-donation = 🤝 Ми заберемо
decline-donation = Цього разу ні
donation-gone-answer = Інша організація була швидшою, або нічого не залишилося. Все одно дякуємо!
donation-gone = Залишки <b>{ $title }</b> дісталися іншій організації. Все одно дякуємо!
donation-taken-answer = ✅ Пожертва #{ $id } ваша; код для отримання надійде слідом.
donation-not-offered = Цю пропозицію вам не надсилали.
donation-declined = Гаразд, можливо, наступного разу.
donation-yours =
    ✅ Це ваше, безкоштовно: <b>{ $title }</b> (пожертва #{ $id })
    { $lines }
    🕒 Видача: { $pickup }
    📍 { $address }

    Ваш код для отримання: <b>{ $code }</b>
donation-coming =
    🤝 <b>{ $charity }</b> забере залишки <b>{ $title }</b> (пожертва #{ $id }):
    { $lines }
    Їхній код для отримання: <b>{ $code }</b>. Підтвердьте його через /pickup, як завжди.

## Місця видачі: пожертви та вага

venue-line = 📍 <b>{ $name }</b>, { $address }
venue-line-donate = { $donate ->
    [yes] 🤝 залишки йдуть благодійним організаціям
   *[no] залишки: не жертвуються
}
venue-line-weight = {" "}· ⚖️ { $weight } за одиницю
venue-donate-button = { $donate ->
    [yes] 🤝 { $name }: більше не жертвувати
   *[no] 🤝 { $name }: жертвувати залишки
}
venue-weight-button = ⚖️ { $name }: вага одиниці
ask-unit-weight = <b>Скільки важить одна одиниця в { $name }?</b> Наприклад, <code>400</code> (грамів) або <code>1,5 кг</code>. Так врятовані одиниці перетворяться на кілограми. Пропустіть, якщо не знаєте.
unit-weight-bad = ⚠️ Це не вага від 1 г до 100 кг. Спробуйте ще раз, наприклад 400 або 1,5 кг.
unit-weight-saved = ⚖️ Збережено: одна одиниця в { $name } важить { $weight }.
unit-weight-unknown = ⚖️ Вагу одиниці в { $name } залишено невідомою.

## Результат

weight-g = { $g } г
weight-kg = { $kg } кг
impact-saved = 🌱 { $by ->
    [you] Ви врятували від смітника
    [glean] Glean врятував від смітника
   *[shop] { $name } врятував від смітника
} <b>{ $units }</b> { $units ->
    [one] порцію
    [few] порції
    [many] порцій
   *[other] порції
}
impact-weight = {" "}(≈{ $weight })
impact-donated = , з них { $units } передано благодійним організаціям
impact-none = 🌱 Заберіть свою першу пропозицію, щоб почати рятувати їжу.
cmd-impact = Скільки їжі ви врятували
cmd-charity = Організації: /charity invite <назва>, <район>

//! The fake Telegram server driven by the real client the bot uses
//! (teloxide), so every answer is proven to deserialize the way production
//! answers do.

use std::time::{Duration, Instant};

use glean_fakes::images;
use glean_fakes::telegram::{FakeTelegram, RateLimits, TEST_PHONE};
use serde_json::{Value, json};
use teloxide::net::Download;
use teloxide::payloads::setters::*;
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, ButtonRequest, CallbackQueryId, FileId, InlineKeyboardButton, InlineKeyboardMarkup, InputFile,
    InputMedia, InputMediaPhoto, KeyboardButton, KeyboardMarkup, MediaKind, MessageEntityKind, MessageId, MessageKind,
    ParseMode, UpdateKind,
};
use teloxide::{ApiError, RequestError};

async fn setup() -> (FakeTelegram, Bot) {
    let telegram = FakeTelegram::start().await;
    let url = reqwest::Url::parse(&telegram.api_url()).expect("api url");
    let bot = Bot::new(telegram.token()).set_api_url(url);
    (telegram, bot)
}

/// Confirms everything so far and returns what was pending.
async fn drain(bot: &Bot) -> Vec<Update> {
    let updates = bot.get_updates().timeout(0).await.expect("getUpdates");
    if let Some(last) = updates.last() {
        bot.get_updates().offset(last.id.as_offset()).timeout(0).await.expect("confirm");
    }
    updates
}

fn api_error<T: std::fmt::Debug>(result: Result<T, RequestError>) -> ApiError {
    match result {
        Err(RequestError::Api(error)) => error,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn keyboard(buttons: &[(&str, &str)]) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        buttons.iter().map(|(text, data)| vec![InlineKeyboardButton::callback(*text, *data)]).collect::<Vec<_>>(),
    )
}

#[tokio::test]
async fn get_me_and_commands() {
    let (telegram, bot) = setup().await;
    let me = bot.get_me().await.expect("getMe");
    assert_eq!(me.user.id.0 as i64, telegram.bot_user_id());
    assert_eq!(me.username(), telegram.bot_username());
    assert!(me.user.is_bot);

    bot.set_my_commands([BotCommand::new("start", "Start over"), BotCommand::new("new_offer", "Offer food")])
        .await
        .expect("setMyCommands");
    assert_eq!(
        telegram.my_commands(),
        [("start".to_owned(), "Start over".to_owned()), ("new_offer".to_owned(), "Offer food".to_owned())]
    );
    assert_eq!(bot.get_my_commands().await.expect("getMyCommands").len(), 2);
    let error = api_error(bot.set_my_commands([BotCommand::new("NewOffer", "x")]).await);
    assert_eq!(error, ApiError::Unknown("Bad Request: BOT_COMMAND_INVALID".into()));
    bot.delete_my_commands().await.expect("deleteMyCommands");
    assert!(telegram.my_commands().is_empty());
}

#[tokio::test]
async fn updates_are_confirmed_by_offset() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let first = alice.send("/start");
    let second = alice.send("hello");
    assert!(second > first, "message ids increase per chat");
    assert_eq!(telegram.pending_updates(), 2);

    let updates = bot.get_updates().timeout(0).await.expect("getUpdates");
    assert_eq!(updates.len(), 2);
    let UpdateKind::Message(message) = &updates[0].kind else { panic!("not a message: {:?}", updates[0]) };
    assert_eq!(message.id, MessageId(first as i32));
    assert_eq!(message.chat.id, ChatId(1001));
    assert!(message.chat.is_private());
    assert_eq!(message.text(), Some("/start"));
    let entities = message.entities().expect("entities");
    assert_eq!(
        (entities[0].kind.clone(), entities[0].offset, entities[0].length),
        (MessageEntityKind::BotCommand, 0, 6)
    );
    let from = message.from.as_ref().expect("from");
    assert_eq!((from.id.0, from.first_name.as_str(), from.is_bot), (1001, "Alice", false));
    assert_eq!(from.language_code.as_deref(), Some("en"));

    // Asking again without an offset returns the same updates.
    assert_eq!(bot.get_updates().timeout(0).await.expect("again").len(), 2);
    let rest = bot.get_updates().offset(updates[0].id.as_offset()).timeout(0).await.expect("offset");
    assert_eq!(rest.len(), 1);
    assert_eq!(telegram.pending_updates(), 1);
    let limited = bot.get_updates().limit(1).timeout(0).await.expect("limit");
    assert_eq!(limited[0].id, updates[1].id);
    bot.get_updates().offset(updates[1].id.as_offset()).timeout(0).await.expect("confirm");
    assert_eq!(telegram.pending_updates(), 0);
}

#[tokio::test]
async fn long_poll_waits_for_an_update_or_the_timeout() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");

    let started = Instant::now();
    assert!(bot.get_updates().timeout(1).await.expect("empty poll").is_empty());
    assert!(started.elapsed() >= Duration::from_millis(900), "returned after {:?}", started.elapsed());

    let poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(20).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    alice.send("anyone there?");
    let updates = poll.await.expect("join").expect("long poll");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(updates.len(), 1);
}

#[tokio::test]
async fn a_newer_poll_terminates_the_waiting_one() {
    let (_telegram, bot) = setup().await;
    let first = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(20).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = bot.get_updates().timeout(0).await;
    assert!(second.expect("the newer poll works").is_empty());
    assert_eq!(api_error(first.await.expect("join")), ApiError::TerminatedByOtherGetUpdates);
}

#[tokio::test]
async fn inline_keyboard_press_and_answer() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let markup = InlineKeyboardMarkup::new([
        vec![InlineKeyboardButton::callback("Buy 1 × Bread", "buy:7:1")],
        vec![InlineKeyboardButton::url("Map", reqwest::Url::parse("https://example.com/map").expect("url"))],
    ]);
    let sent = bot.send_message(ChatId(1001), "Fresh bread").reply_markup(markup).await.expect("sendMessage");
    assert_eq!(sent.text(), Some("Fresh bread"));
    assert_eq!(sent.reply_markup().expect("markup").inline_keyboard.len(), 2);
    assert_eq!(sent.from.as_ref().map(|u| u.is_bot), Some(true));

    let reply = alice.reply().await;
    assert_eq!(reply.message_id, sent.id.0 as i64);
    assert_eq!(reply.text, "Fresh bread");
    assert_eq!(reply.inline_buttons[0][0].callback_data.as_deref(), Some("buy:7:1"));
    assert_eq!(reply.inline_buttons[1][0].url.as_deref(), Some("https://example.com/map"));

    // Exact label first, then a case-insensitive part of it.
    let query_id = alice.press("buy 1");
    let updates = drain(&bot).await;
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else { panic!("not a callback query: {updates:?}") };
    assert_eq!(query.id.0, query_id);
    assert_eq!(query.data.as_deref(), Some("buy:7:1"));
    assert_eq!(query.from.id.0, 1001);
    let message = query.regular_message().expect("the message is accessible");
    assert_eq!((message.id, message.text()), (sent.id, Some("Fresh bread")));
    assert_eq!(telegram.unanswered_callbacks(), std::slice::from_ref(&query_id));

    bot.answer_callback_query(query.id.clone()).text("Reserved!").show_alert(true).await.expect("answer");
    let answer = alice.callback_answer(&query_id).await;
    assert_eq!((answer.text.as_deref(), answer.show_alert), (Some("Reserved!"), true));
    assert!(telegram.unanswered_callbacks().is_empty());

    // A query can be answered once; Telegram spells "ID" in capitals, which
    // teloxide's `InvalidQueryId` does not match.
    let again = api_error(bot.answer_callback_query(query.id.clone()).await);
    let expected = "Bad Request: query is too old and response timeout expired or query ID is invalid";
    assert_eq!(again, ApiError::Unknown(expected.into()));
    let unknown = api_error(bot.answer_callback_query(CallbackQueryId("nope".into())).await);
    assert_eq!(unknown, ApiError::Unknown(expected.into()));

    let forged = alice.press_data(sent.id.0 as i64, "buy:999:1");
    let updates = drain(&bot).await;
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else { panic!("not a callback query") };
    assert_eq!((query.id.0.as_str(), query.data.as_deref()), (forged.as_str(), Some("buy:999:1")));
}

#[tokio::test]
#[should_panic(expected = "no button matches \"Sell\"")]
async fn pressing_a_missing_button_lists_the_visible_ones() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    bot.send_message(ChatId(1001), "Menu").reply_markup(keyboard(&[("Buy", "b")])).await.expect("send");
    alice.press("Sell");
}

#[tokio::test]
async fn edits_change_what_the_user_sees() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let sent = bot.send_message(ChatId(1001), "2 left").reply_markup(keyboard(&[("Buy", "buy")])).await.expect("send");
    assert!(!alice.reply().await.edited);

    // Without reply_markup the keyboard goes, as in Telegram.
    let edited = bot.edit_message_text(ChatId(1001), sent.id, "<b>Sold out</b>").parse_mode(ParseMode::Html).await;
    let edited = edited.expect("editMessageText");
    assert_eq!(edited.text(), Some("Sold out"));
    assert!(edited.edit_date().is_some());
    assert!(edited.reply_markup().is_none());

    let event = alice.reply().await;
    assert!(event.edited);
    assert_eq!((event.text.as_str(), event.parse_mode.as_deref()), ("Sold out", Some("HTML")));
    let messages = alice.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text, "Sold out");
    assert!(messages[0].inline_buttons.is_empty());

    let same = bot.edit_message_text(ChatId(1001), sent.id, "<b>Sold out</b>").parse_mode(ParseMode::Html).await;
    assert_eq!(api_error(same), ApiError::MessageNotModified);
    bot.edit_message_reply_markup(ChatId(1001), sent.id)
        .reply_markup(keyboard(&[("Notify me", "notify")]))
        .await
        .expect("editMessageReplyMarkup");
    assert_eq!(alice.last_message().expect("message").inline_buttons[0][0].text, "Notify me");
    let missing = bot.edit_message_text(ChatId(1001), MessageId(999), "x").await;
    assert_eq!(api_error(missing), ApiError::MessageToEditNotFound);

    bot.delete_message(ChatId(1001), sent.id).await.expect("deleteMessage");
    assert!(alice.messages().is_empty());
    assert_eq!(api_error(bot.delete_message(ChatId(1001), sent.id).await), ApiError::MessageToDeleteNotFound);
}

#[tokio::test]
async fn photos_uploaded_by_the_bot_are_stored() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let jpeg = images::jpeg(640, 480);
    let sent = bot
        .send_photo(ChatId(1001), InputFile::memory(jpeg.clone()))
        .caption("Bread, <i>today</i>")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard(&[("Buy", "buy")]))
        .await
        .expect("sendPhoto");
    let sizes = sent.photo().expect("photo");
    let largest = sizes.last().expect("a size");
    assert_eq!((largest.width, largest.height), (640, 480));
    assert!(sizes.len() > 1 && sizes[0].width < largest.width);
    assert_eq!(sent.caption(), Some("Bread, today"));
    assert_eq!(telegram.file_bytes(&largest.file.id.0), Some(jpeg.clone()));
    assert_eq!(telegram.calls("sendPhoto")[0]["photo"], json!({"file": format!("{} bytes", jpeg.len())}));
    assert_eq!(telegram.calls("sendphoto")[0]["reply_markup"]["inline_keyboard"][0][0]["text"], "Buy");

    let reply = alice.reply().await;
    assert_eq!(reply.photo_file_id.as_deref(), Some(largest.file.id.0.as_str()));
    assert_eq!(reply.text, "Bread, today");

    // Sending by file id reuses the photo.
    let again = bot.send_photo(ChatId(1001), InputFile::file_id(largest.file.id.clone())).await.expect("by id");
    assert_eq!(again.photo().expect("photo"), sizes);

    let not_an_image = bot.send_photo(ChatId(1001), InputFile::memory(images::fake_pdf())).await;
    assert_eq!(api_error(not_an_image), ApiError::ImageProcessFailed);
    let unknown = bot.send_photo(ChatId(1001), InputFile::file_id(FileId("no-such-file".into()))).await;
    assert_eq!(api_error(unknown), ApiError::WrongFileIdOrUrl);

    let media = InputMedia::Photo(InputMediaPhoto::new(InputFile::memory(images::png(32, 32))).caption("New"));
    let edited = bot.edit_message_media(ChatId(1001), sent.id, media).await.expect("editMessageMedia");
    assert_eq!(edited.caption(), Some("New"));
    let new_id = &edited.photo().expect("photo").last().expect("size").file.id.0;
    assert_eq!(telegram.file_bytes(new_id), Some(images::png(32, 32)));
    let caption = bot.edit_message_caption(ChatId(1001), sent.id).caption("Newer").await.expect("editMessageCaption");
    assert_eq!(caption.caption(), Some("Newer"));
}

#[tokio::test]
async fn user_files_can_be_fetched_and_downloaded() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let photo = images::jpeg_with_gps_exif(800, 600, 6);
    alice.send_photo(photo.clone(), Some("My surplus"));
    alice.send_document(b"hello".to_vec(), "menu.txt", "text/plain");

    let updates = drain(&bot).await;
    let UpdateKind::Message(message) = &updates[0].kind else { panic!("not a message") };
    assert_eq!(message.caption(), Some("My surplus"));
    let largest = message.photo().expect("photo").last().expect("size").clone();
    assert_eq!((largest.width, largest.height), (800, 600));
    let file = bot.get_file(largest.file.id.clone()).await.expect("getFile");
    assert_eq!(file.meta.size as usize, photo.len());
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.expect("download");
    assert_eq!(downloaded, photo, "photos are kept byte for byte, EXIF included");

    let UpdateKind::Message(message) = &updates[1].kind else { panic!("not a message") };
    let document = message.document().expect("document");
    assert_eq!(document.file_name.as_deref(), Some("menu.txt"));
    assert_eq!(document.mime_type.as_ref().map(|m| m.essence_str().to_owned()).as_deref(), Some("text/plain"));
    let file = bot.get_file(document.file.id.clone()).await.expect("getFile");
    let mut downloaded = Vec::new();
    bot.download_file(&file.path, &mut downloaded).await.expect("download");
    assert_eq!(downloaded, b"hello");

    let unknown = bot.get_file(FileId("nope".into())).await;
    assert_eq!(api_error(unknown), ApiError::Unknown("Bad Request: invalid file_id".into()));
    let mut sink = Vec::new();
    assert!(bot.download_file("photos/missing.jpg", &mut sink).await.is_err());
}

#[tokio::test]
async fn telegram_rejects_what_it_rejects() {
    let (telegram, bot) = setup().await;
    let _alice = telegram.user(1001, "Alice");
    let chat = ChatId(1001);

    assert_eq!(api_error(bot.send_message(chat, "x".repeat(4097)).await), ApiError::MessageIsTooLong);
    bot.send_message(chat, "x".repeat(4096)).await.expect("4096 is fine");
    // Telegram counts UTF-16 code units: an emoji is two.
    assert_eq!(api_error(bot.send_message(chat, "😀".repeat(2049)).await), ApiError::MessageIsTooLong);
    assert_eq!(api_error(bot.send_message(chat, "  \n ").await), ApiError::MessageTextIsEmpty);

    let caption = bot.send_photo(chat, InputFile::memory(images::jpeg(8, 8))).caption("c".repeat(1025)).await;
    assert_eq!(api_error(caption), ApiError::Unknown("Bad Request: message caption is too long".into()));

    let data = "d".repeat(65);
    let long_data = bot.send_message(chat, "Pick").reply_markup(keyboard(&[("A", &data)])).await;
    assert_eq!(api_error(long_data), ApiError::ButtonDataInvalid);

    let html = bot.send_message(chat, "<b>Bread<br>Jam</b>").parse_mode(ParseMode::Html).await;
    let expected = "Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 8";
    assert_eq!(api_error(html), ApiError::CantParseEntities(expected.into()));
    let unclosed = bot.send_message(chat, "<b>Bread").parse_mode(ParseMode::Html).await;
    assert!(matches!(api_error(unclosed), ApiError::CantParseEntities(_)));
    let ampersand = bot.send_message(chat, "Fish & chips").parse_mode(ParseMode::Html).await;
    assert!(matches!(api_error(ampersand), ApiError::CantParseEntities(_)));

    let markdown = bot.send_message(chat, "Only 3.50 today").parse_mode(ParseMode::MarkdownV2).await;
    let expected =
        "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'";
    assert_eq!(api_error(markdown), ApiError::CantParseEntities(expected.into()));
    let escaped = bot.send_message(chat, "*Only* 3\\.50 today").parse_mode(ParseMode::MarkdownV2).await;
    let escaped = escaped.expect("escaped MarkdownV2");
    assert_eq!(escaped.text(), Some("Only 3.50 today"));
    assert_eq!(escaped.entities().expect("entities")[0].kind, MessageEntityKind::Bold);

    let reply_to_missing =
        bot.send_message(chat, "re").reply_parameters(teloxide::types::ReplyParameters::new(MessageId(12345))).await;
    assert_eq!(api_error(reply_to_missing), ApiError::MessageToReplyNotFound);
    assert_eq!(api_error(bot.send_message(ChatId(5), "who?").await), ApiError::ChatNotFound);

    let rejected: Vec<String> = telegram.rejected().into_iter().map(|(method, _)| method).collect();
    assert_eq!(rejected.len(), 11, "{:#?}", telegram.rejected());
    assert!(rejected[..3].iter().all(|m| m == "sendMessage"), "{rejected:?}");
    assert_eq!(rejected[3], "sendPhoto");
    assert!(telegram.rejected().iter().any(|(_, d)| d == "Bad Request: BUTTON_DATA_INVALID"));
    assert_eq!(telegram.calls("sendMessage").len(), 12, "rejected calls are recorded too");
    assert_eq!(telegram.sent_per_second().iter().map(|(_, n)| n).sum::<usize>(), 2);
}

#[tokio::test]
async fn flood_limits_answer_429_with_retry_after() {
    let (telegram, bot) = setup().await;
    telegram.user(1001, "Alice");
    telegram.user(1002, "Bob");
    telegram.set_rate_limits(Some(RateLimits { per_chat_per_sec: 1.0, per_chat_burst: 2, global_per_sec: 30.0 }));
    bot.send_message(ChatId(1001), "one").await.expect("one");
    bot.send_message(ChatId(1001), "two").await.expect("two");
    match bot.send_message(ChatId(1001), "three").await {
        Err(RequestError::RetryAfter(after)) => assert_eq!(after.seconds(), 1),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    bot.send_message(ChatId(1002), "other chat").await.expect("other chats are not limited");
    assert_eq!(telegram.count_429(), 1);
    assert!(telegram.rejected().is_empty(), "429s are counted, not rejected");
    assert_eq!(telegram.sent_per_second().iter().map(|(_, n)| n).sum::<usize>(), 3);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    bot.send_message(ChatId(1001), "three, later").await.expect("after retry_after");
    telegram.set_rate_limits(None);
    for i in 0..5 {
        bot.send_message(ChatId(1001), format!("burst {i}")).await.expect("no limits");
    }
}

#[tokio::test]
async fn the_next_send_can_be_refused_once_with_429() {
    let (telegram, bot) = setup().await;
    telegram.user(1001, "Alice");
    telegram.refuse_next_send(7);
    match bot.send_message(ChatId(1001), "one").await {
        Err(RequestError::RetryAfter(after)) => assert_eq!(after.seconds(), 7),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    bot.send_message(ChatId(1001), "one, again").await.expect("only once");
    assert_eq!(telegram.count_429(), 1);
    assert_eq!(telegram.user(1001, "Alice").reply().await.text, "one, again");
}

#[tokio::test]
async fn reply_keyboards_share_contacts_and_text() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let markup = KeyboardMarkup::new([
        vec![KeyboardButton::new("Share my phone").request(ButtonRequest::Contact)],
        vec![KeyboardButton::new("Browse offers")],
    ])
    .one_time_keyboard();
    let sent = bot.send_message(ChatId(1001), "Welcome").reply_markup(markup).await.expect("send");
    assert!(sent.reply_markup().is_none(), "reply keyboards are not echoed");
    let reply = alice.reply().await;
    assert_eq!(reply.reply_keyboard, Some(vec![vec!["Share my phone".to_owned()], vec!["Browse offers".to_owned()]]));

    alice.press("Share my phone");
    let updates = drain(&bot).await;
    let UpdateKind::Message(message) = &updates[0].kind else { panic!("not a message") };
    let contact = message.contact().expect("contact");
    assert_eq!((contact.phone_number.as_str(), contact.user_id.map(|u| u.0)), (TEST_PHONE, Some(1001)));

    bot.send_message(ChatId(1001), "Menu")
        .reply_markup(KeyboardMarkup::new([vec![KeyboardButton::new("Browse offers")]]))
        .await
        .expect("send");
    alice.press("Browse offers");
    let updates = drain(&bot).await;
    let UpdateKind::Message(message) = &updates[0].kind else { panic!("not a message") };
    assert_eq!(message.text(), Some("Browse offers"));
}

#[tokio::test]
async fn locations_venues_documents_and_actions() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    alice.send_location(52.5, 13.4);
    alice.send_contact("+4930123456");
    let updates = drain(&bot).await;
    let kinds: Vec<_> = updates
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::Message(m) => match &m.kind {
                MessageKind::Common(common) => match &common.media_kind {
                    MediaKind::Location(_) => "location",
                    MediaKind::Contact(_) => "contact",
                    _ => "other media",
                },
                _ => "other message",
            },
            _ => "other update",
        })
        .collect();
    assert_eq!(kinds, ["location", "contact"]);

    let location = bot.send_location(ChatId(1001), 52.52, 13.405).await.expect("sendLocation");
    assert_eq!(location.location().map(|l| (l.latitude, l.longitude)), Some((52.52, 13.405)));
    let venue = bot.send_venue(ChatId(1001), 52.52, 13.405, "Bakery", "Alexanderplatz 1").await.expect("sendVenue");
    assert_eq!(venue.venue().map(|v| v.title.as_str()), Some("Bakery"));
    let document = bot
        .send_document(ChatId(1001), InputFile::memory(b"%PDF-1.4".to_vec()).file_name("receipt.pdf"))
        .caption("Your receipt")
        .await
        .expect("sendDocument");
    let doc = document.document().expect("document");
    assert_eq!(doc.file_name.as_deref(), Some("receipt.pdf"));
    assert_eq!(telegram.file_bytes(&doc.file.id.0), Some(b"%PDF-1.4".to_vec()));
    bot.send_chat_action(ChatId(1001), teloxide::types::ChatAction::Typing).await.expect("sendChatAction");
    assert_eq!(telegram.calls("sendChatAction"), [json!({"chat_id": 1001, "action": "typing"})]);

    let events: Vec<_> = [alice.reply().await, alice.reply().await, alice.reply().await].to_vec();
    assert_eq!(events[0].location, Some((52.52, 13.405)));
    assert_eq!(events[1].location, Some((52.52, 13.405)));
    assert_eq!(events[2].text, "Your receipt");
    assert!(alice.no_reply_for(Duration::from_millis(100)).await);
}

#[tokio::test]
async fn reply_matching_skips_and_no_reply_for_sees_pending() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    for text in ["one", "two", "three"] {
        bot.send_message(ChatId(1001), text).await.expect("send");
    }
    assert!(!alice.no_reply_for(Duration::from_millis(50)).await);
    let three = alice.reply_matching(|m| m.text == "three").await;
    assert_eq!(three.text, "three");
    assert!(alice.no_reply_for(Duration::from_millis(50)).await);

    let waiting = tokio::spawn({
        let alice = alice.clone();
        async move { alice.reply().await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    bot.send_message(ChatId(1001), "late").await.expect("send");
    assert_eq!(waiting.await.expect("join").text, "late");
}

#[tokio::test]
async fn blocked_users_and_bad_tokens() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    alice.block();
    assert_eq!(api_error(bot.send_message(ChatId(1001), "hi").await), ApiError::BotBlocked);
    alice.send("/start");
    bot.send_message(ChatId(1001), "hi again").await.expect("unblocked by writing");

    let url = reqwest::Url::parse(&telegram.api_url()).expect("url");
    let wrong = Bot::new("123456:WRONG").set_api_url(url);
    assert_eq!(api_error(wrong.get_me().await), ApiError::InvalidToken);
    assert!(telegram.rejected().iter().any(|(m, d)| m == "getMe" && d == "Not Found"));
}

#[tokio::test]
async fn webhook_blocks_polling_until_deleted() {
    let (telegram, bot) = setup().await;
    let http = reqwest::Url::parse("http://example.com/hook").expect("url");
    assert_eq!(api_error(bot.set_webhook(http).await), ApiError::WebhookRequireHttps);
    bot.set_webhook(reqwest::Url::parse("https://example.com/hook").expect("url")).await.expect("setWebhook");
    let info = bot.get_webhook_info().await.expect("getWebhookInfo");
    assert_eq!(info.url.map(|u| u.to_string()).as_deref(), Some("https://example.com/hook"));
    assert!(
        matches!(api_error(bot.get_updates().await), ApiError::Unknown(d) if d.starts_with("Conflict: can't use getUpdates"))
    );
    bot.delete_webhook().await.expect("deleteWebhook");
    assert!(bot.get_webhook_info().await.expect("info").url.is_none());
    telegram.user(1001, "Alice").send("hi");
    assert_eq!(bot.get_updates().await.expect("polling again").len(), 1);
}

/// The other encodings and conventions of the protocol, spoken by hand.
#[tokio::test]
async fn raw_protocol() {
    let (telegram, _bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let http = reqwest::Client::new();
    let base = format!("{}/bot{}", telegram.api_url(), telegram.token());

    // Form bodies, case-insensitive method names, JSON-encoded fields.
    let response = http
        .post(format!("{base}/SENDMESSAGE"))
        .form(&[
            ("chat_id", "1001"),
            ("text", "via form"),
            ("reply_markup", r#"{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}"#),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["ok"], true);
    assert_eq!(body["result"]["chat"], json!({"id": 1001, "type": "private", "first_name": "Alice"}));
    assert_eq!(alice.reply().await.inline_buttons[0][0].text, "Go");
    assert_eq!(telegram.calls("sendMessage")[0]["chat_id"], 1001);

    // GET with a query string.
    let body: Value = http.get(format!("{base}/getMe")).send().await.expect("get").json().await.expect("json");
    assert_eq!(body["result"]["username"], telegram.bot_username());

    let response = http.post(format!("{base}/sendSticker")).json(&json!({})).send().await.expect("post");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body, json!({"ok": false, "error_code": 404, "description": "Not Found"}));

    let response = http.post(format!("{base}/sendMessage")).json(&json!({"chat_id": 1001})).send().await.expect("post");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["description"], "Bad Request: message text is empty");

    // Raw updates get ids; a negative offset keeps only the newest.
    let first = telegram.push_raw_update(json!({"message": {"message_id": 1}}));
    let second = telegram.push_raw_update(json!({"update_id": 0, "message": {"message_id": 2}}));
    assert_eq!(second, first + 1);
    let body: Value = http
        .post(format!("{base}/getUpdates"))
        .json(&json!({"offset": -1}))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(body["result"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["result"][0]["update_id"], second);
    assert_eq!(telegram.pending_updates(), 1);
}

/// A real teloxide dispatcher, long-polling as the bot does in production.
#[tokio::test]
async fn a_teloxide_dispatcher_talks_to_simulated_users() {
    let (telegram, bot) = setup().await;
    let alice = telegram.user(1001, "Alice");
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(|bot: Bot, message: Message| async move {
            let text = format!("You said: {}", message.text().unwrap_or_default());
            bot.send_message(message.chat.id, text).reply_markup(keyboard(&[("Got it", "ack")])).await?;
            respond(())
        }))
        .branch(Update::filter_callback_query().endpoint(|bot: Bot, query: CallbackQuery| async move {
            bot.answer_callback_query(query.id.clone()).text("Thanks").await?;
            if let Some(message) = query.regular_message() {
                bot.edit_message_text(message.chat.id, message.id, "Acknowledged").await?;
            }
            respond(())
        }));
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let dispatching = tokio::spawn(async move { dispatcher.dispatch().await });

    alice.send("hello");
    let reply = alice.reply().await;
    assert_eq!(reply.text, "You said: hello");
    let query = alice.press("Got it");
    assert_eq!(alice.callback_answer(&query).await.text.as_deref(), Some("Thanks"));
    let edit = alice.reply().await;
    assert!(edit.edited && edit.text == "Acknowledged" && edit.inline_buttons.is_empty());
    assert!(!telegram.calls("getUpdates").is_empty());
    assert!(telegram.rejected().is_empty(), "{:?}", telegram.rejected());
    dispatching.abort();
}

#[tokio::test]
async fn mini_app_buttons_need_https() {
    use teloxide::types::{MenuButton, WebAppInfo};
    let (telegram, bot) = setup().await;
    let app = |url: &str| WebAppInfo { url: reqwest::Url::parse(url).unwrap() };

    // The menu button: a web_app with an https URL, for everyone.
    assert_eq!(bot.get_chat_menu_button().await.expect("getChatMenuButton"), MenuButton::Default);
    bot.set_chat_menu_button()
        .menu_button(MenuButton::WebApp { text: "Deals".into(), web_app: app("https://glean.example/app") })
        .await
        .expect("setChatMenuButton");
    let set = telegram.menu_button(None).expect("a default menu button");
    assert_eq!(set, json!({"type": "web_app", "text": "Deals", "web_app": {"url": "https://glean.example/app"}}));
    let error = api_error(
        bot.set_chat_menu_button()
            .menu_button(MenuButton::WebApp { text: "Deals".into(), web_app: app("http://glean.example/app") })
            .await,
    );
    assert_eq!(error, ApiError::ButtonUrlInvalid);
    let error = api_error(bot.set_chat_menu_button().chat_id(ChatId(424242)).menu_button(MenuButton::Commands).await);
    assert_eq!(error, ApiError::ChatNotFound);

    // web_app buttons in an inline keyboard: https only, echoed back.
    let user = telegram.user(7001, "Mia");
    user.send("hi");
    drain(&bot).await;
    let markup = |url: &str| InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::web_app("🗺 Map", app(url))]]);
    bot.send_message(ChatId(7001), "deals").reply_markup(markup("https://glean.example/app?view=map")).await.unwrap();
    let sent = user.reply().await;
    assert_eq!(sent.inline_buttons[0][0].web_app_url.as_deref(), Some("https://glean.example/app?view=map"));
    let error =
        api_error(bot.send_message(ChatId(7001), "deals").reply_markup(markup("http://glean.example/app")).await);
    assert_eq!(error, ApiError::ButtonUrlInvalid);
}

#[tokio::test]
async fn inline_queries_results_feedback_and_edits() {
    use teloxide::types::{
        InlineQueryResult, InlineQueryResultArticle, InlineQueryResultPhoto, InputMessageContent,
        InputMessageContentText,
    };
    let (telegram, bot) = setup().await;
    let nina = telegram.user(1001, "Nina");
    let url = |s: &str| reqwest::Url::parse(s).expect("url");
    let buy = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url("Buy", url("https://t.me/b?start=o_1"))]]);
    let article = |id: &str, text: &str| {
        let content = InputMessageContent::Text(InputMessageContentText::new(text).parse_mode(ParseMode::Html));
        InlineQueryResult::Article(InlineQueryResultArticle::new(id, "Bread", content).reply_markup(buy.clone()))
    };

    // Without allowed_updates naming them, inline updates are never delivered.
    bot.get_updates().allowed_updates(vec![teloxide::types::AllowedUpdate::Message]).timeout(0).await.unwrap();
    nina.inline_query("lost", None);
    assert!(drain(&bot).await.is_empty(), "not asked for: dropped, as Telegram does");
    bot.get_updates()
        .allowed_updates(vec![
            teloxide::types::AllowedUpdate::InlineQuery,
            teloxide::types::AllowedUpdate::ChosenInlineResult,
        ])
        .timeout(0)
        .await
        .unwrap();

    let q = nina.inline_query("bread", Some((52.5, 13.4)));
    let updates = drain(&bot).await;
    let UpdateKind::InlineQuery(iq) = &updates[0].kind else { panic!("{updates:?}") };
    assert_eq!((iq.query.as_str(), iq.from.id.0, iq.location.is_some()), ("bread", 1001, true));

    // What Telegram refuses: bad HTML, duplicate ids, a photo without a
    // thumbnail URL, too many results.
    let refused = bot.answer_inline_query(iq.id.clone(), vec![article("a", "<b>x")]).await;
    assert!(matches!(api_error(refused), ApiError::CantParseEntities(_)));
    let dup = bot.answer_inline_query(iq.id.clone(), vec![article("a", "x"), article("a", "y")]).await;
    assert_eq!(api_error(dup), ApiError::Unknown("Bad Request: RESULT_ID_DUPLICATE".into()));
    let bad_photo = InlineQueryResultPhoto::new("p", url("ftp://x/p.jpg"), url("https://x/t.jpg"));
    let refused = bot.answer_inline_query(iq.id.clone(), vec![InlineQueryResult::Photo(bad_photo)]).await;
    assert_eq!(api_error(refused), ApiError::Unknown("Bad Request: PHOTO_URL_INVALID".into()));
    let many: Vec<_> = (0..51).map(|i| article(&i.to_string(), "x")).collect();
    assert!(bot.answer_inline_query(iq.id.clone(), many).await.is_err());

    let photo = InlineQueryResultPhoto::new("p", url("https://x/p.jpg"), url("https://x/t.jpg"))
        .caption("<b>Rolls</b>")
        .parse_mode(ParseMode::Html)
        .reply_markup(buy.clone());
    bot.answer_inline_query(iq.id.clone(), vec![article("a", "<b>Bread</b> €2"), InlineQueryResult::Photo(photo)])
        .cache_time(10)
        .is_personal(true)
        .await
        .expect("valid results");
    let answer = nina.inline_answer(&q).await;
    assert_eq!((answer.results.len(), answer.cache_time, answer.is_personal), (2, Some(10), true));
    let again = bot.answer_inline_query(iq.id.clone(), vec![article("b", "x")]).await;
    assert!(api_error(again).to_string().contains("query is too old"), "an answered query is closed");

    // Feedback off: choosing posts the message and tells the bot nothing.
    let first = nina.choose_inline_result(&q, "a");
    assert!(drain(&bot).await.is_empty());
    assert_eq!(telegram.inline_message(&first).unwrap().text, "Bread €2");
    // Feedback on: the choice is reported with the message's id.
    telegram.set_inline_feedback(true);
    let second = nina.choose_inline_result(&q, "p");
    let updates = drain(&bot).await;
    let UpdateKind::ChosenInlineResult(chosen) = &updates[0].kind else { panic!("{updates:?}") };
    assert_eq!((chosen.result_id.as_str(), chosen.inline_message_id.as_deref()), ("p", Some(second.as_str())));

    // Edits by inline_message_id: text for text, caption for photos.
    bot.edit_message_text_inline(&first, "<b>Sold out</b>").parse_mode(ParseMode::Html).await.expect("text edit");
    let edited = telegram.inline_message(&first).unwrap();
    assert_eq!((edited.text.as_str(), edited.edits, edited.buttons.len()), ("Sold out", 1, 0));
    let wrong = bot.edit_message_caption_inline(&first).caption("x").await;
    assert!(api_error(wrong).to_string().contains("no caption"));
    let same = bot.edit_message_text_inline(&first, "<b>Sold out</b>").parse_mode(ParseMode::Html).await;
    assert_eq!(api_error(same), ApiError::MessageNotModified);
    bot.edit_message_caption_inline(&second).caption("Gone").reply_markup(buy).await.expect("caption edit");
    assert_eq!(telegram.inline_message(&second).unwrap().text, "Gone");
    let unknown = bot.edit_message_text_inline("nope", "x").await;
    assert_eq!(api_error(unknown), ApiError::MessageIdInvalid);
}

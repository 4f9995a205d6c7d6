"""The fake Bot API is only worth its tests if its checker is honest: valid requests from the real
python-telegram-bot pass, and each kind of malformed request is refused the way Telegram would."""

import asyncio
import datetime as dtm
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes.telegram_api import ANY_METHOD, FakeTelegram, ManualClock, RateLimitRules
from tests.fakes.telegram_spec import BotApiSpec, HtmlError, parse_html

CHAT = 1001  # a private chat: the user's id
GROUP = -4001
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Next race", callback_data="next")]])


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def lax() -> AsyncIterator[FakeTelegram]:
    """For tests that send bad requests on purpose and inspect the violations themselves."""
    async with FakeTelegram(allow_violations=True) as server:
        yield server


async def _bot(server: FakeTelegram) -> Bot:
    bot = Bot(server.token, base_url=server.base_url, base_file_url=server.base_file_url)
    await bot.initialize()
    return bot


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    b = await _bot(fake)
    yield b
    await b.shutdown()


async def _raw(server: FakeTelegram, method: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(server.url(method), **kwargs)  # type: ignore[arg-type]


# --- valid traffic from the real library passes ---------------------------------------------


async def test_ptb_get_me_and_html_message_with_keyboard_pass(fake: FakeTelegram, bot: Bot):
    assert bot.username == "pitboard_test_bot"
    message = await bot.send_message(
        CHAT, "<b>Oschersleben</b> &amp; <i>Race 1</i> 😀 in 2h", parse_mode="HTML",
        reply_markup=KEYBOARD,
    )  # fmt: skip
    assert message.text == "Oschersleben & Race 1 😀 in 2h"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 12),
        ("italic", 15, 6),
    ]
    [sent] = fake.sent(CHAT)
    assert sent.message_id == message.message_id
    assert sent.parse_mode == "HTML"
    assert sent.source.startswith("<b>Oschersleben</b>")
    assert sent.button("Next race") == {"text": "Next race", "callback_data": "next"}
    assert fake.stats.calls["sendMessage"] == 1
    assert fake.violations == [] and fake.self_check_failures == []


async def test_ptb_encodes_form_data_with_json_objects(fake: FakeTelegram, bot: Bot):
    """What the front-end author must know: PTB posts x-www-form-urlencoded, objects as JSON."""
    await bot.send_message(CHAT, "hi", reply_markup=KEYBOARD, disable_notification=True)
    params = fake.calls("sendMessage")[0]
    assert params == {
        "chat_id": CHAT,
        "text": "hi",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"text": "Next race", "callback_data": "next"}]]},
    }


async def test_ptb_options_a_front_end_may_use_all_pass(fake: FakeTelegram, bot: Bot):
    """A wide sample of real PTB calls: the fake must not refuse what Telegram accepts."""
    first = await bot.send_message(
        CHAT, "<i>Qualifying</i>", parse_mode=ParseMode.HTML, disable_notification=True,
        protect_content=True, link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_markup=InlineKeyboardMarkup([[
            InlineKeyboardButton("Timing", url="https://live.example.org/timing"),
            InlineKeyboardButton("Subscribe", callback_data="sub:tcr-germany-2022"),
        ]]),
    )  # fmt: skip
    fake.push_message(CHAT, "/when race 1")
    await bot.send_message(CHAT, "Sunday", reply_to_message_id=2, allow_sending_without_reply=True)
    await bot.send_message(CHAT, "Quote", reply_parameters=ReplyParameters(first.message_id))
    await bot.edit_message_text(
        "<b>Qualifying</b> – moved", CHAT, first.message_id, parse_mode="HTML",
        link_preview_options=LinkPreviewOptions(is_disabled=True), reply_markup=KEYBOARD,
    )  # fmt: skip
    await bot.set_my_commands(
        [("next", "Next session")], scope=BotCommandScopeChat(GROUP), language_code="de"
    )
    assert fake.commands({"type": "chat", "chat_id": GROUP}, "de")
    await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats())
    await bot.set_webhook(
        "https://bot.example.org/hook", secret_token="s3cr3t_-", max_connections=10,
        allowed_updates=["message", "callback_query"], drop_pending_updates=True,
    )  # fmt: skip
    assert (await bot.get_webhook_info()).url == "https://bot.example.org/hook"
    await bot.delete_webhook(drop_pending_updates=True)
    await bot.send_chat_action(GROUP, ChatAction.TYPING)
    await bot.get_chat_member(GROUP, CHAT)
    query = fake.push_callback(CHAT, first.message_id, "next")
    await bot.answer_callback_query(query, "Done", show_alert=True, cache_time=5)
    assert fake.violations == [] and fake.self_check_failures == []


async def test_commands_round_trip(fake: FakeTelegram, bot: Bot):
    await bot.set_my_commands([BotCommand("next", "The next session"), ("standings", "Table")])
    assert [c.command for c in await bot.get_my_commands()] == ["next", "standings"]
    assert fake.commands()[0] == {"command": "next", "description": "The next session"}


# --- the checker refuses what Telegram refuses -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"chat_id": CHAT, "text": "hi", "colour": "red"}, "unknown parameter 'colour'"),
        ({"chat_id": CHAT}, "text is required"),
        ({"chat_id": [1], "text": "hi"}, "chat_id: expected Integer or String, got array"),
        ({"chat_id": CHAT, "text": "x" * 5000}, "text is too long: 5000 characters"),
        ({"chat_id": CHAT, "text": "<div>hi</div>", "parse_mode": "HTML"}, 'start tag "div"'),
        ({"chat_id": CHAT, "text": "<b>hi", "parse_mode": "HTML"}, 'start tag "b"'),
        ({"chat_id": CHAT, "text": "<b>hi</i>", "parse_mode": "HTML"}, "Unmatched end tag"),
        ({"chat_id": CHAT, "text": "AT&T", "parse_mode": "HTML"}, "bare '&'"),
        ({"chat_id": CHAT, "text": "<b> </b>", "parse_mode": "HTML"}, "message text is empty"),
        ({"chat_id": CHAT, "text": "hi", "parse_mode": "html5"}, "unsupported parse_mode"),
        (
            {"chat_id": CHAT, "text": "hi", "reply_markup": {"inline_keyboard": [[{
                "text": "x", "callback_data": "é" * 33}]]}},
            "callback_data is too long: 66 bytes",
        ),
        (
            {"chat_id": CHAT, "text": "hi", "reply_markup": {"inline_keyboard": [[{"text": "x"}]]}},
            "exactly one of url, callback_data",
        ),
        (
            {"chat_id": CHAT, "text": "hi", "reply_markup": {"inline_keyboard": [{"text": "x"}]}},
            "inline_keyboard[0]: expected Array of InlineKeyboardButton, got object",
        ),
    ],
)  # fmt: skip
async def test_bad_send_message_json_is_refused_and_recorded(lax: FakeTelegram, body, problem):
    response = await _raw(lax, "sendMessage", json=body)
    assert response.status_code == 400
    answer = response.json()
    assert answer["ok"] is False and answer["error_code"] == 400
    assert answer["description"].startswith("Bad Request: ")
    [violation] = lax.violations
    assert problem in " ".join(violation.problems)
    assert lax.sent(CHAT) == []
    with pytest.raises(AssertionError, match="contract violations"):
        lax.assert_no_violations()


async def test_callback_data_of_64_bytes_passes_and_65_is_refused(lax: FakeTelegram):
    def keyboard(data: str) -> str:
        return json.dumps({"inline_keyboard": [[{"text": "go", "callback_data": data}]]})

    ok = await _raw(lax, "sendMessage", data={"chat_id": CHAT, "text": "a",
                                              "reply_markup": keyboard("d" * 64)})  # fmt: skip
    bad = await _raw(lax, "sendMessage", data={"chat_id": CHAT, "text": "b",
                                               "reply_markup": keyboard("d" * 65)})  # fmt: skip
    assert (ok.status_code, bad.status_code) == (200, 400)
    assert "callback_data is too long: 65 bytes" in lax.violations[0].problems[0]


async def test_text_limit_counts_after_html_parsing(lax: FakeTelegram):
    fits = await _raw(lax, "sendMessage", json={"chat_id": CHAT, "parse_mode": "HTML",
                                                "text": f"<b>{'y' * 4095}&amp;</b>"})  # fmt: skip
    over = await _raw(lax, "sendMessage", json={"chat_id": CHAT, "text": "z" * 4097})
    assert (fits.status_code, over.status_code) == (200, 400)
    assert len(lax.sent(CHAT)[0].text) == 4096


async def test_form_encoded_wrong_types_are_refused(lax: FakeTelegram):
    chat_list = await _raw(lax, "sendMessage", data={"chat_id": "[1]", "text": "hi"})
    not_json = await _raw(lax, "sendMessage", data={"chat_id": 1, "text": "hi",
                                                    "reply_markup": "buttons"})  # fmt: skip
    not_int = await _raw(lax, "getUpdates", data={"offset": "soon"})
    assert [r.status_code for r in (chat_list, not_json, not_int)] == [400, 400, 400]
    assert "expected an integer id or @username" in lax.violations[0].problems[0]
    assert "expected InlineKeyboardMarkup or ReplyKeyboardMarkup" in lax.violations[1].problems[0]
    assert "offset: expected Integer" in lax.violations[2].problems[0]


async def test_other_limits_read_from_the_spec(lax: FakeTelegram):
    commands = [{"command": "Next!", "description": "x"}, {"command": "ok", "description": ""}]
    await _raw(lax, "setMyCommands", json={"commands": commands})
    await _raw(lax, "answerCallbackQuery", json={"callback_query_id": "1", "text": "n" * 201})
    await _raw(lax, "sendChatAction", json={"chat_id": CHAT, "action": "dancing"})
    await _raw(lax, "setMyCommands", json={"commands": [], "scope": {"type": "chat"}})
    problems = [" ".join(v.problems) for v in lax.violations]
    assert "BOT_COMMAND_INVALID" in problems[0] and "description is too short" in problems[0]
    assert "text is too long: 201 characters" in problems[1]
    assert "'dancing' is not one of" in problems[2]
    assert "scope.chat_id is required" in problems[3]


async def test_wrong_token_is_401_and_unknown_method_404(lax: FakeTelegram):
    wrong = Bot("987654:not-the-token", base_url=lax.base_url)
    with pytest.raises(InvalidToken):
        await wrong.get_me()
    unknown = await _raw(lax, "sendTelegram", json={})
    assert unknown.status_code == 404
    assert [v.status for v in lax.violations] == [401, 404]


async def test_leaving_the_block_raises_on_violations():
    with pytest.raises(AssertionError, match="unknown parameter 'colour'"):
        async with FakeTelegram() as server:
            await _raw(server, "sendMessage", json={"chat_id": 1, "text": "a", "colour": "red"})


async def test_valid_but_unimplemented_methods_answer_true(fake: FakeTelegram):
    response = await _raw(fake, "setMyDescription", json={"description": "Race updates"})
    assert response.json() == {"ok": True, "result": True}


def test_spec_resolves_every_type_it_names():
    spec = BotApiSpec.load()
    scalars = {"Integer", "Float", "Boolean", "String", "InputFile"}
    shapes = [*spec.methods.values(), *spec.types.values()]
    named = {t.removeprefix("Array of ").removeprefix("Array of ")
             for s in shapes for f in s.fields.values() for t in f.types}  # fmt: skip
    assert named - scalars - set(spec.types) == set()


# --- the HTML parse mode -----------------------------------------------------------------------


def test_html_entities_use_utf16_offsets_and_nesting():
    parsed = parse_html(
        '😀 <b>bold <i>both</i></b> <a href="https://x.io/?a=1&amp;b=2">link</a> '
        '<pre><code class="language-python">x &lt; 1</code></pre> '
        '<blockquote expandable>q</blockquote> <span class="tg-spoiler">s</span>'
    )
    assert parsed.text == "😀 bold both link x < 1 q s"
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == [
        ("bold", 3, 9), ("italic", 8, 4), ("text_link", 13, 4), ("pre", 18, 5),
        ("expandable_blockquote", 24, 1), ("spoiler", 26, 1),
    ]  # fmt: skip
    assert parsed.entities[2]["url"] == "https://x.io/?a=1&b=2"
    assert parsed.entities[3]["language"] == "python"


@pytest.mark.parametrize(
    "source",
    ["<span>x</span>", "<b>x</b></b>", "1 < 2", "2 > 1", "&nbsp;", "<code><b>x</b></code>",
     "<blockquote><blockquote>x</blockquote></blockquote>", '<b class="x">y</b>', "<a>x</a>",
     '<code class="language-py">x</code>', "<br/>"],
)  # fmt: skip
def test_html_the_docs_forbid_is_refused(source: str):
    with pytest.raises(HtmlError):
        parse_html(source)


# --- long polling --------------------------------------------------------------------------------


async def test_get_updates_waits_returns_early_and_honours_offset(fake: FakeTelegram, bot: Bot):
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert loop.time() - started >= 0.9  # it really waited

    async def push_later() -> None:
        await asyncio.sleep(0.2)
        fake.push_message(CHAT, "/next")

    started = loop.time()
    pusher = asyncio.create_task(push_later())
    [update] = await bot.get_updates(timeout=10)
    await pusher
    assert loop.time() - started < 5
    assert update.message.text == "/next"
    assert update.message.entities[0].type == "bot_command"
    fake.push_message(CHAT, "second")
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [update.update_id, update.update_id + 1]
    confirmed = await bot.get_updates(offset=update.update_id + 1, limit=1, timeout=0)
    assert [u.message.text for u in confirmed] == ["second"]
    assert await bot.get_updates(offset=update.update_id + 2, timeout=0) == ()


async def test_a_getupdates_fault_set_during_a_long_poll_is_met_by_the_next_poll(
    fake: FakeTelegram, bot: Bot
):
    """The long poll in flight is answered (with nothing) when getUpdates' faults change, so a
    test need not wait out the bot's poll timeout before its next poll meets the fault."""
    waiting = asyncio.create_task(bot.get_updates(timeout=600))
    # Its parameters are recorded just before the fake starts waiting, with no await between.
    await fake.wait_for(lambda: [c for c in fake.calls("getUpdates") if "timeout" in c])
    fake.set_fault_rate("server_error", 1.0, methods={"getUpdates"})
    async with asyncio.timeout(60):  # far below the poll's 600 s
        assert await waiting == ()
    with pytest.raises(NetworkError):
        await bot.get_updates(timeout=0)
    # Removing the fault answers a waiting poll too; the next one gets through.
    fake.set_fault_rate("server_error", 0, methods={"getUpdates"})
    assert await bot.get_updates(timeout=0) == ()
    assert [r.status for r in fake.requests if r.method == "getUpdates"] == [200, 500, 200]


async def test_longest_poll_answers_a_long_poll_early_and_updates_still_at_once():
    async with FakeTelegram(longest_poll=0.5) as fake:
        bot = await _bot(fake)
        async with asyncio.timeout(60):  # far below the poll's 600 s
            assert await bot.get_updates(timeout=600) == ()
            fake.push_message(CHAT, "/next")
            [update] = await bot.get_updates(timeout=600)
        assert update.message.text == "/next"
        await bot.shutdown()


async def test_allowed_updates_filters_and_a_second_poller_conflicts(fake: FakeTelegram, bot: Bot):
    fake.push_message(CHAT, "hello")
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    first = asyncio.create_task(bot.get_updates(timeout=5, allowed_updates=[]))
    await asyncio.sleep(0.1)
    other_instance = await _bot(fake)  # PTB polls over one connection, so a second bot
    second = asyncio.create_task(other_instance.get_updates(timeout=0))
    with pytest.raises(Conflict):
        await first
    assert await second == ()  # the message was dropped: not an allowed type when polled
    await other_instance.shutdown()


async def test_application_polling_end_to_end(fake: FakeTelegram):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html("<b>Welcome</b>", reply_markup=KEYBOARD)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Loading…")
        await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")

    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=5)
        fake.push_message(CHAT, "/start", username="fan")
        welcome = await fake.wait_for_message(CHAT)
        assert welcome.text == "Welcome" and welcome.buttons
        query_id = fake.press(CHAT, welcome.message_id, "Next race")
        await fake.wait_for(lambda: fake.message(CHAT, welcome.message_id).previous_texts)
        await fake.wait_for(lambda: query_id in fake.callback_answers)
        await app.updater.stop()
        await app.stop()
    edited = fake.message(CHAT, welcome.message_id)
    assert edited.text == "You chose next"
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert fake.callback_answers[query_id]["text"] == "Loading…"
    assert fake.calls("deleteWebhook")


# --- state-dependent answers ---------------------------------------------------------------------


async def test_edits_deletes_and_callbacks_follow_telegram_rules(fake: FakeTelegram, bot: Bot):
    sent = await bot.send_message(CHAT, "Race 1", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Race 1", CHAT, sent.message_id, reply_markup=KEYBOARD)
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)
    with pytest.raises(AssertionError, match="no button"):
        fake.push_callback(CHAT, sent.message_id, "next")
    assert await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(CHAT, "re", reply_to_message_id=777)
    assert await bot.send_chat_action(CHAT, "typing")
    assert fake.chat_actions == [(CHAT, "typing")]


async def test_wait_for_message_keeps_a_cursor(fake: FakeTelegram, bot: Bot):
    await bot.send_message(CHAT, "one")

    async def later() -> None:
        await asyncio.sleep(0.1)
        await bot.send_message(CHAT, "two")
        await bot.send_message(CHAT, "three")

    task = asyncio.create_task(later())
    assert (await fake.wait_for_message(CHAT)).text == "one"  # sent before the call: still next
    assert (await fake.wait_for_message(CHAT, lambda m: m.text == "three")).text == "three"
    await task
    with pytest.raises(AssertionError, match="sent there so far"):
        await fake.wait_for_message(CHAT, timeout=0.1)


async def test_channel_rights_and_chat_member(fake: FakeTelegram, bot: Bot):
    channel = -1_000_000_000_077
    fake.add_chat(channel, "channel", username="tcrnews")
    member = await bot.get_chat_member("@tcrnews", fake.bot_id)
    assert member.status == "administrator" and member.can_post_messages
    assert (await bot.send_message("@tcrnews", "Live now")).chat.id == channel
    fake.set_bot_status(channel, "member")
    with pytest.raises(BadRequest, match=r"(?i)need administrator rights"):
        await bot.send_message(channel, "Live now")
    fake.set_bot_status(channel, "left")
    with pytest.raises(Forbidden, match="not a member of the channel"):
        await bot.send_message(channel, "Live now")
    assert (await bot.get_chat(channel)).username == "tcrnews"
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message("@nobody_here", "hi")


async def test_channel_posts_strict_chats_and_file_parts():
    async with FakeTelegram(unknown_chats="not_found", allow_violations=True) as strict:
        other = await _bot(strict)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await other.send_message(CHAT, "to a stranger")
        strict.push_message(-1_000_000_000_055, "Race day", chat_type="channel")
        [update] = await other.get_updates(timeout=0)
        assert update.channel_post.sender_chat.id == -1_000_000_000_055
        await other.shutdown()
        files = {"document": ("standings.csv", b"pos,driver\n1,Backman\n")}
        uploaded = await _raw(strict, "sendDocument", data={"chat_id": "-1000000000055"},
                              files=files)  # fmt: skip
        dangling = await _raw(strict, "sendDocument", data={"chat_id": "-1000000000055",
                              "document": "attach://missing"})  # fmt: skip
        assert (uploaded.status_code, dangling.status_code) == (200, 400)
        assert "no file part named 'missing'" in strict.violations[0].problems[0]


# --- faults ---------------------------------------------------------------------------------------


async def test_each_fault_reaches_ptb_as_the_right_exception(
    fake: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # RetryAfter.retry_after as a timedelta
    fake.fail_next(CHAT, "flood", retry_after=7)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(CHAT, "a")
    assert flood.value.retry_after == dtm.timedelta(seconds=7)
    fake.fail_next(CHAT, "blocked")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "a")
    fake.fail_next(GROUP, "migrated", migrate_to=-1_000_000_004_001)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(GROUP, "a")
    assert migrated.value.new_chat_id == -1_000_000_004_001
    fake.fail_next(CHAT, "chat_not_found")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(CHAT, "a")
    for kind in ("server_error", "bad_gateway", "reset"):
        fake.fail_next(None, kind)  # type: ignore[arg-type]
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "a")
    assert fake.sent(CHAT) == []  # none of those was delivered
    fake.fail_next(CHAT, "lost_response")
    with pytest.raises(NetworkError):
        await bot.send_message(CHAT, "delivered, but the bot cannot know")
    assert [m.text for m in fake.sent(CHAT)] == ["delivered, but the bot cannot know"]
    assert (await bot.send_message(CHAT, "fine again")).text == "fine again"
    assert fake.stats.faults["flood"] == 1 and fake.stats.too_many_requests == 1


async def test_faults_target_their_chat_and_methods(fake: FakeTelegram, bot: Bot):
    fake.fail_next(CHAT, "server_error", times=2)
    assert await bot.send_message(2002, "other chat")
    assert await bot.get_chat(CHAT)  # not a posting method
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "a")
    assert await bot.send_message(CHAT, "a")
    fake.fail_next(None, "server_error", methods={"getUpdates"})
    with pytest.raises(NetworkError):
        await bot.get_updates(timeout=0)
    fake.fail_next(None, "reset", methods=ANY_METHOD)
    with pytest.raises(NetworkError):
        await bot.get_me()


async def test_block_and_migrate_persist(fake: FakeTelegram, bot: Bot):
    fake.block(CHAT)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "a")
    fake.unblock(CHAT)
    assert await bot.send_message(CHAT, "back")
    fake.push_message(GROUP, "hi", chat_type="group")
    fake.migrate(GROUP, -1_000_000_004_001)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(GROUP, "a")
    assert migrated.value.new_chat_id == -1_000_000_004_001
    assert (await bot.send_message(-1_000_000_004_001, "a")).chat.type == "supergroup"
    updates = await bot.get_updates(timeout=0)
    assert [u.message.migrate_to_chat_id for u in updates][1:] == [-1_000_000_004_001, None]


async def test_fault_rate_is_seeded_and_repeatable():
    async def failures() -> int:
        async with FakeTelegram(seed=7) as server:
            server.set_fault_rate("server_error", 0.3)
            bot = await _bot(server)
            failed = 0
            for n in range(40):
                try:
                    await bot.send_message(CHAT + n, "x")
                except NetworkError:
                    failed += 1
            await bot.shutdown()
            return failed

    first = await failures()
    assert 4 <= first <= 20
    assert await failures() == first


# --- rate limits ----------------------------------------------------------------------------------


async def test_rate_limits_produce_429_at_the_configured_rate(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # else RetryAfter warns as it is built
    clock = ManualClock()
    rules = RateLimitRules(global_per_second=3, per_chat_per_second=1, per_group_per_minute=2)
    async with FakeTelegram(limits=rules, clock=clock) as server:
        bot = await _bot(server)
        assert await bot.send_message(CHAT, "1")
        with pytest.raises(RetryAfter):
            await bot.send_message(CHAT, "2")  # same chat within the second
        assert await bot.send_message(2002, "x") and await bot.send_message(3003, "x")
        with pytest.raises(RetryAfter):
            await bot.send_message(4004, "x")  # fourth message this second, all chats
        clock.advance(1.0)
        assert await bot.send_message(CHAT, "2")
        assert await bot.send_message(GROUP, "g1")
        clock.advance(1.0)
        assert await bot.send_message(GROUP, "g2")
        clock.advance(1.0)
        with pytest.raises(RetryAfter):
            await bot.send_message(GROUP, "g3")  # third in a minute for the group
        clock.advance(58.0)
        assert await bot.send_message(GROUP, "g3")
        await bot.shutdown()
    assert server.stats.rate_limited == 3
    assert server.stats.too_many_requests_per_chat == {CHAT: 1, 4004: 1, GROUP: 1}
    assert len(server.sent(GROUP)) == 3


async def test_rate_limit_retry_after_is_whole_seconds_until_the_window_frees():
    clock = ManualClock()
    rules = RateLimitRules(global_per_second=None, per_chat_per_second=None,
                           per_group_per_minute=20)  # fmt: skip
    async with FakeTelegram(limits=rules, clock=clock) as server:
        for n in range(21):
            response = await _raw(server, "sendMessage", json={"chat_id": GROUP, "text": str(n)})
            clock.advance(0.5)
        assert response.status_code == 429
        assert response.json()["parameters"] == {"retry_after": 50}  # 60 s - 20 × 0.5 s
        assert response.json()["description"] == "Too Many Requests: retry after 50"


# --- answering nonsense on demand, and pushing to a webhook ------------------------------------


async def test_answer_next_returns_the_given_result_once_unchecked(fake: FakeTelegram) -> None:
    fake.add_chat(GROUP, "supergroup", title="Fans")
    fake.answer_next("getChat", True)
    async with httpx.AsyncClient() as client:
        nonsense = await client.post(fake.url("getChat"), json={"chat_id": GROUP})
        sensible = await client.post(fake.url("getChat"), json={"chat_id": GROUP})
    assert nonsense.json() == {"ok": True, "result": True}
    assert sensible.json()["result"]["id"] == GROUP


async def test_a_set_webhook_gets_the_updates_pushed_with_the_secret_header(
    fake: FakeTelegram,
) -> None:
    seen: list[tuple[str | None, dict[str, object]]] = []
    answers = iter([503, 200, 200])  # the first push fails: it is retried, in order

    async def receive(request: web.Request) -> web.Response:
        seen.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=next(answers))

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        bot = await _bot(fake)
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        fake.push_message(CHAT, "/next")
        fake.push_message(CHAT, "/help")
        await fake.wait_for(lambda: len(seen) >= 3, timeout=10)
        assert [secret for secret, _ in seen] == ["s3cret"] * 3
        texts = [update["message"]["text"] for _, update in seen]  # type: ignore[index]
        assert texts == ["/next", "/next", "/help"]
        assert fake.webhook_answers[:3] == [503, 200, 200]
        with pytest.raises(Conflict):
            await bot.get_updates()  # no polling while a webhook is set
        await bot.shutdown()
    finally:
        await runner.cleanup()

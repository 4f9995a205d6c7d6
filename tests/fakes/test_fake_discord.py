"""FakeDiscord against the real discord.py: login, gateway, sync, interactions, posts, faults.

Every test that starts a client uses the fake's default redirection (``Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY``), so the same lines the front-end will run are exercised.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.fakes import discord_gateway as gw
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.discord_spec import DiscordSpec, command_problems, message_problems

SERIES = ["tcr-germany-2022", "24h-series-2022", "dtm-2022"]


class PitBot(discord.Client):
    """A trivial bot with the command shapes the front-end will use."""

    def __init__(self, intents: discord.Intents | None = None) -> None:
        super().__init__(intents=intents or discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.errors: list[BaseException] = []
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self._register()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every IDENTIFY after the first; tests need not."""

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        self.errors.append(error.__cause__ or error)

    def _register(self) -> None:
        tree = self.tree

        @tree.command(description="Is the bot alive?")
        async def ping(interaction: discord.Interaction, times: int = 1) -> None:
            await interaction.response.send_message(" ".join(["pong"] * times))

        @tree.command(description="Championship standings")
        @app_commands.describe(series="Which series")
        async def standings(interaction: discord.Interaction, series: str) -> None:
            await interaction.response.defer(thinking=True)
            embed = discord.Embed(title=f"Standings: {series}", description="1. Bäckman 120")
            await interaction.followup.send(embed=embed)

        @standings.autocomplete("series")
        async def _series(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=s, value=s) for s in SERIES if current in s]

        @tree.command(description="Only you can see this")
        async def secret(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("for your eyes only", ephemeral=True)

        @tree.command(description="Answers too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            await interaction.response.send_message("finally")


@pytest.fixture(autouse=True)
def nowhere_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client used outside `async with FakeDiscord()` fails locally instead of going online."""
    monkeypatch.setattr(Route, "BASE", "http://127.0.0.1:9/api/v10")
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL("ws://127.0.0.1:9/"))


@asynccontextmanager
async def running(fake: FakeDiscord, bot: PitBot | None = None) -> AsyncIterator[PitBot]:
    """Start the bot against the fake; yield once it is ready; close it afterwards."""
    bot = bot or PitBot()
    task = asyncio.create_task(bot.start(fake.token))
    try:
        ready = asyncio.ensure_future(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=5, return_when="FIRST_COMPLETED")
        if task in done:
            ready.cancel()
            task.result()  # raises what stopped the client
        assert ready in done, "the client never became ready"
        yield bot
    finally:
        await bot.close()
        await asyncio.wait({task}, timeout=5)
        crash = task.exception() if task.done() and not task.cancelled() else None
    if crash is not None:
        raise crash


def world(**options: Any) -> tuple[FakeDiscord, gw.Guild, gw.Channel]:
    fake = FakeDiscord(heartbeat_interval=0.05, **options)
    guild = fake.guild("Pitboard Racing")
    channel = fake.channel(guild.id, "race-updates", topic="Results and reminders")
    return fake, guild, channel


async def synced(bot: PitBot, guild: gw.Guild) -> list[app_commands.AppCommand]:
    target = discord.Object(int(guild.id))
    bot.tree.copy_global_to(guild=target)  # sync(guild=...) sends only that guild's commands
    return await bot.tree.sync(guild=target)


def text_channel(bot: PitBot, channel: gw.Channel) -> discord.TextChannel:
    found = bot.get_channel(int(channel.id))
    assert isinstance(found, discord.TextChannel)
    return found


# --- login, gateway ------------------------------------------------------------------------


async def test_client_logs_in_and_builds_the_guild_from_ready_and_guild_create() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        assert bot.user is not None and str(bot.user.id) == fake.application_id
        assert bot.application_id == int(fake.application_id)
        [seen] = bot.guilds
        assert (seen.name, seen.owner_id) == ("Pitboard Racing", int(guild.owner_id))
        assert [c.name for c in seen.text_channels] == ["race-updates"]
        assert text_channel(bot, channel).topic == "Results and reminders"
        perms = text_channel(bot, channel).permissions_for(seen.me)
        assert perms.send_messages and perms.embed_links and not perms.administrator
        assert [r.route for r in fake.requests] == [
            "GET /users/@me",
            "GET /oauth2/applications/@me",
        ]
        [identify] = fake.gateway.identifies
        assert identify["intents"] == discord.Intents.default().value
        [connection] = fake.gateway.connections
        assert connection.compress == "zlib-stream" and connection.query["v"] == "10"


async def test_heartbeats_are_acknowledged() -> None:
    fake, _, _ = world()
    async with fake, running(fake) as bot:
        await fake.wait_for(lambda: fake.gateway.heartbeats >= 3, 2, "three heartbeats")
        assert bot.latency < 1.0  # discord.py measures it from HEARTBEAT_ACKs; inf without them


async def test_reconnect_resumes_on_the_resume_url_and_replays_nothing_twice() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        await fake.request_reconnect()
        await fake.wait_for(lambda: fake.gateway.resumes == 1, 3, "a RESUME")
        assert fake.gateway.connections[-1].path == "/gateway/resume"
        assert len(fake.gateway.identifies) == 1
        interaction = await fake.dispatch_interaction("ping", channel_id=channel.id)
        assert (await fake.wait_for_response(interaction.id)).content == "pong"


async def test_invalid_session_makes_the_client_identify_again() -> None:
    fake, _, _ = world()
    async with fake, running(fake):
        await fake.invalidate_session(resumable=False)
        await fake.wait_for(lambda: len(fake.gateway.identifies) == 2, 3, "a second IDENTIFY")
        assert fake.gateway.resumes == 0


async def test_privileged_intents_not_enabled_are_refused() -> None:
    fake, _, _ = world()
    async with fake:
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with running(fake, PitBot(discord.Intents.all())):
                pass


async def test_wrong_token_fails_login() -> None:
    fake, _, _ = world(allow_violations=True)
    async with fake:
        client = discord.Client(intents=discord.Intents.default())
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
        await client.close()
    [violation] = fake.violations
    assert violation.status == 401 and violation.route == "GET /users/@me"


# --- commands and interactions ---------------------------------------------------------------


async def test_commands_sync_to_a_guild_and_keep_their_ids() -> None:
    fake, guild, _ = world()
    async with fake, running(fake) as bot:
        first = await synced(bot, guild)
        stored = {c["name"]: c for c in fake.commands(guild.id)}
        assert set(stored) == {"ping", "standings", "secret", "slow"}
        assert {str(c.id) for c in first} == {c["id"] for c in stored.values()}
        [series] = stored["standings"]["options"]
        assert (series["type"], series["required"], series["autocomplete"]) == (3, True, True)
        assert fake.commands() == []  # nothing global
        again = await synced(bot, guild)
        assert {c.id for c in again} == {c.id for c in first}


async def test_slash_command_is_answered_through_the_callback() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        interaction = await fake.dispatch_interaction("ping", {"times": 3}, channel_id=channel.id)
        callback = await fake.wait_for_callback(interaction.id)
        assert callback["type"] == 4
        reply = await fake.wait_for_response(interaction.id)
        assert reply.content == "pong pong pong" and not reply.ephemeral
        assert fake.sent(channel.id) == []  # interaction replies are not channel posts


async def test_deferred_command_followup_fills_in_the_thinking_message() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        interaction = await fake.dispatch_interaction(
            "standings", {"series": "dtm-2022"}, channel_id=channel.id
        )
        assert (await fake.wait_for_callback(interaction.id))["type"] == 5
        reply = await fake.wait_for_response(interaction.id)
        assert reply.embed is not None and reply.embed["title"] == "Standings: dtm-2022"
        assert interaction.followups == []


async def test_autocomplete_is_answered_with_choices() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        interaction = await fake.dispatch_interaction(
            "standings", {"series": "2022"}, channel_id=channel.id, focused="series"
        )
        callback = await fake.wait_for_callback(interaction.id)
        assert callback["type"] == 8
        assert [c["value"] for c in interaction.choices or []] == SERIES


async def test_ephemeral_reply_is_flagged() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        interaction = await fake.dispatch_interaction("secret", channel_id=channel.id)
        reply = await fake.wait_for_response(interaction.id)
        assert reply.ephemeral and reply.content == "for your eyes only"


async def test_answer_after_three_seconds_is_an_unknown_interaction() -> None:
    fake, guild, channel = world(callback_deadline=0.1)
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        interaction = await fake.dispatch_interaction("slow", channel_id=channel.id)
        await fake.wait_for(lambda: bot.errors, 2, "the bot's error")
        [error] = bot.errors
        assert isinstance(error, discord.NotFound) and error.code == 10062
        assert interaction.callback is None and len(interaction.callbacks) == 1


async def test_a_second_callback_is_refused() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        interaction = await fake.dispatch_interaction("ping", channel_id=channel.id)
        await fake.wait_for_callback(interaction.id)
        url = f"{fake.api_base}/interactions/{interaction.id}/{interaction.token}/callback"
        async with aiohttp.ClientSession() as http:
            response = await http.post(url, json={"type": 4, "data": {"content": "again"}})
            assert response.status == 400 and (await response.json())["code"] == 40060


async def test_followups_need_a_response_first_and_stop_when_the_token_expires() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        await synced(bot, guild)
        interaction = await fake.dispatch_interaction("slow", channel_id=channel.id)
        url = f"{fake.api_base}/webhooks/{fake.application_id}/{interaction.token}?wait=true"
        async with aiohttp.ClientSession() as http:
            early = await http.post(url, json={"content": "too early"})
            assert (early.status, (await early.json())["code"]) == (404, 10015)
            await fake.wait_for_response(interaction.id)
            later = await http.post(url, json={"content": "Race 2 starts at 14:05"})
            assert later.status == 200
            fake.expire_interaction(interaction.id)
            expired = await http.post(url, json={"content": "an hour later"})
            assert (expired.status, (await expired.json())["code"]) == (401, 50027)
        assert [m.content for m in interaction.followups] == ["Race 2 starts at 14:05"]


async def test_button_press_updates_the_message() -> None:
    fake, guild, channel = world()
    async with fake, running(fake) as bot:
        pressed: list[str] = []

        class Refresh(discord.ui.View):
            def __init__(self) -> None:
                super().__init__(timeout=None)

            @discord.ui.button(label="Refresh", custom_id="standings:refresh")
            async def refresh(
                self, interaction: discord.Interaction, button: discord.ui.Button[Any]
            ) -> None:
                pressed.append(str(interaction.user.id))
                await interaction.response.edit_message(content="Standings (refreshed)")

        bot.add_view(Refresh())
        sent = await text_channel(bot, channel).send("Standings", view=Refresh())
        interaction = await fake.dispatch_component(str(sent.id), "standings:refresh")
        assert (await fake.wait_for_callback(interaction.id))["type"] == 7
        assert fake.message(str(sent.id)).content == "Standings (refreshed)"
        assert pressed == [fake.default_user_id(guild.id)]


async def test_dispatching_a_command_that_was_never_synced_fails_the_test() -> None:
    fake, _, channel = world()
    async with fake:
        with pytest.raises(AssertionError, match="no command 'ping'"):
            await fake.dispatch_interaction("ping", channel_id=channel.id)


# --- channel messages and the contract -----------------------------------------------------------


async def test_message_with_embed_is_posted_to_the_channel() -> None:
    fake, _, channel = world()
    async with fake, running(fake) as bot:
        embed = discord.Embed(title="Oschersleben: Race 1", description="Starts in 2 hours")
        embed.add_field(name="Track", value="Motorsport Arena").set_footer(text="Pitboard")
        message = await text_channel(bot, channel).send(
            embed=embed, allowed_mentions=discord.AllowedMentions.none()
        )
        posted = await fake.wait_for_message(channel.id)
        assert posted.id == str(message.id)
        assert posted.embed is not None and posted.embed["fields"][0]["value"] == "Motorsport Arena"
        assert posted.allowed_mentions == {"parse": []}
        assert "Starts in 2 hours" in posted.text and "Pitboard" in posted.text


async def test_invalid_bodies_are_refused_and_recorded() -> None:
    fake, _, channel = world(allow_violations=True)
    async with fake, running(fake) as bot:
        target = text_channel(bot, channel)
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
        attempts: list[tuple[Callable[[], Awaitable[Any]], str]] = [
            (lambda: target.send(embed=discord.Embed(title="T" * 257)), "embeds.0.title"),
            (lambda: bot.http.request(route, json={"content": "hi", "colour": 3}), "colour"),
            (lambda: bot.http.request(route, json={"content": "hi", "tts": "yes"}), "tts"),
            (lambda: target.send("x" * 2001), "content"),
            (lambda: target.send(embeds=[discord.Embed(description="d" * 3500)] * 2), "embeds"),
        ]
        for call, field_name in attempts:
            with pytest.raises(discord.HTTPException) as refused:
                await call()
            assert (refused.value.status, refused.value.code) == (400, 50035)
            assert field_name in refused.value.text
        with pytest.raises(discord.HTTPException) as empty:
            await bot.http.request(route, json={"content": ""})
        assert empty.value.code == 50006
    assert fake.sent(channel.id) == []
    problems = [v.problems for v in fake.violations]
    assert len(problems) == 6
    assert "MAX_EMBED_SIZE_EXCEEDED" in problems[4][0] and "UNKNOWN_FIELD" in problems[1][0]


async def test_routes_outside_the_spec_and_unmodelled_routes() -> None:
    fake, _, _ = world(allow_violations=True)
    async with fake, running(fake) as bot:
        assert await bot.http.request(Route("GET", "/voice/regions")) == []
        assert [r.route for r in fake.unhandled] == ["GET /voice/regions"]
        with pytest.raises(discord.NotFound):
            await bot.http.request(Route("GET", "/no/such/route"))
        with pytest.raises(discord.HTTPException) as wrong_method:
            await bot.http.request(Route("DELETE", "/gateway/bot"))
        assert wrong_method.value.status == 405
    assert [v.status for v in fake.violations] == [404, 405]


# --- faults --------------------------------------------------------------------------------------


async def test_429_makes_discord_py_wait_and_retry() -> None:
    fake, _, channel = world()
    async with fake, running(fake) as bot:
        fake.fail_next(channel.id, "rate_limited", times=2, retry_after=0.05)
        started = time.perf_counter()
        await text_channel(bot, channel).send("Race 1 is live")
        assert time.perf_counter() - started >= 0.1
        assert fake.stats.calls["POST /channels/{channel_id}/messages"] == 3
        assert fake.stats.too_many_requests == 2
        assert [m.content for m in fake.sent(channel.id)] == ["Race 1 is live"]


async def test_global_rate_limit_is_waited_out() -> None:
    fake, _, channel = world(global_per_second=3)  # the two login requests count too
    async with fake, running(fake) as bot:
        target = text_channel(bot, channel)
        await asyncio.gather(*(target.send(f"update {n}") for n in range(3)))
        assert sorted(m.content for m in fake.sent(channel.id)) == [
            "update 0",
            "update 1",
            "update 2",
        ]
        assert fake.stats.global_rate_limited >= 1
        assert fake.stats.too_many_requests == fake.stats.global_rate_limited


async def test_bucket_headers_let_discord_py_pace_itself() -> None:
    fake, _, channel = world(bucket_limit=2, bucket_reset_after=0.2)
    async with fake, running(fake) as bot:
        started = time.perf_counter()
        for n in range(5):
            await text_channel(bot, channel).send(f"lap {n}")
        assert time.perf_counter() - started >= 0.35  # two full waits for the bucket to reset
        assert fake.stats.too_many_requests == 0  # discord.py never overran the bucket
        # The fake does enforce what it advertises: a client that ignores the headers is refused.
        url = f"{fake.api_base}/channels/{channel.id}/messages"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            statuses = [(await http.post(url, json={"content": "x"})).status for _ in range(3)]
            refused = await http.post(url, json={"content": "x"})
        assert 429 in statuses and refused.status == 429
        assert refused.headers["Via"] and refused.headers["X-RateLimit-Remaining"] == "0"
        assert (await refused.json())["global"] is False


async def test_403_and_404_reach_discord_py_as_forbidden_and_not_found() -> None:
    fake, _, channel = world()
    async with fake, running(fake) as bot:
        target = text_channel(bot, channel)
        fake.fail_next(channel.id, "missing_permissions")
        with pytest.raises(discord.Forbidden) as no_permission:
            await target.send("x")
        fake.fail_next("POST /channels/{channel_id}/messages", "missing_access")
        with pytest.raises(discord.Forbidden) as no_access:
            await target.send("x")
        fake.delete_channel(channel.id)
        for _ in range(2):
            with pytest.raises(discord.NotFound) as gone:
                await target.send("x")
            assert gone.value.code == 10003
        assert (no_permission.value.code, no_access.value.code) == (50013, 50001)
        assert fake.sent(channel.id) == []


async def test_channel_overwrites_are_enforced_like_discord_py_computes_them() -> None:
    fake = FakeDiscord(heartbeat_interval=0.05)
    guild = fake.guild()
    deny = FakeDiscord.overwrite(guild.id, deny=gw.SEND_MESSAGES)
    read_only = fake.channel(guild.id, "announcements", overwrites=(deny,))
    async with fake, running(fake) as bot:
        target = text_channel(bot, read_only)
        assert not target.permissions_for(target.guild.me).send_messages
        with pytest.raises(discord.Forbidden) as refused:
            await target.send("x")
        assert refused.value.code == 50013


async def test_bad_gateway_is_retried() -> None:
    fake, _, channel = world()
    async with fake, running(fake) as bot:
        fake.fail_next("POST /channels/{channel_id}/messages", "bad_gateway")
        await text_channel(bot, channel).send("after a hiccup")
        assert fake.stats.statuses[502] == 1
        assert [m.content for m in fake.sent(channel.id)] == ["after a hiccup"]


# --- the validator on its own ------------------------------------------------------------------


def test_validator_keywords() -> None:
    spec = DiscordSpec.load()
    schema = {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"type": "integer", "enum": [1, 2]},
            "name": {"type": ["string", "null"], "maxLength": 3},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
            "when": {"oneOf": [{"type": "null"}, {"type": "string", "format": "date-time"}]},
            "perms": {"type": ["integer", "null"], "maximum": 2**54},
        },
    }

    def codes(value: Any) -> list[str]:
        return [p.code for p in spec.validate(schema, value)]

    assert codes({"kind": 1, "name": None, "tags": ["a"], "when": None, "perms": "8"}) == []
    assert codes({"name": "abcd"}) == ["BASE_TYPE_REQUIRED", "BASE_TYPE_MAX_LENGTH"]
    assert codes({"kind": True}) == ["NUMBER_TYPE_COERCE"]  # a bool is not an integer
    assert codes({"kind": 3, "tags": ["a", "b", "c"]}) == [
        "BASE_TYPE_CHOICES",
        "BASE_TYPE_MAX_LENGTH",
    ]
    assert codes({"kind": 1, "when": "yesterday"}) == ["DATE_TIME_TYPE_PARSE"]
    assert codes({"kind": 1, "extra": 1}) == ["UNKNOWN_FIELD"]
    merged = {"allOf": [{"$ref": "#/components/schemas/SnowflakeType"}]}
    assert spec.validate(merged, 123) == []  # Discord takes snowflakes as integers too
    assert spec.validate(merged, "12a") != []


def test_route_matching_prefers_literal_segments() -> None:
    spec = DiscordSpec.load()
    original = spec.match("PATCH", "/webhooks/1/tok/messages/@original")
    assert original is not None and original.template.endswith("@original")
    by_id = spec.match("PATCH", "/webhooks/1/tok/messages/55")
    assert by_id is not None and by_id.params["message_id"] == "55"
    missing = spec.match("DELETE", "/channels/1/messages")
    assert missing is not None and missing.operation is None and "POST" in missing.methods


def test_message_and_command_limits() -> None:
    fields = [{"name": "n", "value": "v" * 1025}]
    problems = message_problems({"embeds": [{"footer": {"text": "f" * 2049}, "fields": fields}]})
    assert [".".join(map(str, p.path)) for p in problems] == [
        "embeds.0.footer.text",
        "embeds.0.fields.0.value",
    ]
    commands = [
        {"name": "Standings", "description": "x"},
        {
            "name": "next",
            "description": "x",
            "options": [
                {"name": "series", "description": "s", "type": 3},
                {"name": "session", "description": "s", "type": 3, "required": True},
            ],
        },
        {"name": "next", "description": "again"},
    ]
    assert [p.code for p in command_problems(commands)] == [
        "APPLICATION_COMMAND_INVALID_NAME",
        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        "APPLICATION_COMMANDS_DUPLICATE_NAME",
    ]

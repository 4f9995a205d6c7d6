"""Application commands as FakeDiscord keeps them: the bot syncs them (PUT, POST, PATCH, DELETE,
globally or per guild) and the fake looks them up to dispatch interactions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.fakes.discord_model import NO_CONTENT, ApiError, Ctx, Handler
from tests.fakes.discord_world import DiscordWorld

_COMMANDS = "/applications/{application_id}/commands"
_GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"


class DiscordCommands(DiscordWorld):
    """The command routes, and the synced commands interactions are made from."""

    def _command_routes(self) -> dict[str, Handler]:
        routes: dict[str, Handler] = {}
        for base in (_COMMANDS, _GUILD_COMMANDS):
            routes[f"GET {base}"] = self._get_commands
            routes[f"PUT {base}"] = self._put_commands
            routes[f"POST {base}"] = self._post_command
            for method in ("GET", "PATCH", "DELETE"):
                routes[f"{method} {base}/{{command_id}}"] = self._one_command
        return routes

    def _command_scope(self, ctx: Ctx) -> str | None:
        if ctx.params["application_id"] != self.application_id:
            why = f"application_id {ctx.params['application_id']} is not this bot's"
            raise self._violation(ctx.record, 403, 50001, "Missing Access", why)
        guild_id = ctx.params.get("guild_id")
        if guild_id is not None and guild_id not in self.guilds:
            raise ApiError(403, 50001, "Missing Access")
        return guild_id

    def _command_record(self, scope: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
        kind = body.get("type") or 1
        previous = next(
            (
                c
                for c in self._commands.get(scope, [])
                if (c["type"], c["name"]) == (kind, body["name"])
            ),
            None,
        )
        perms = body.get("default_member_permissions")
        command: dict[str, Any] = {
            "id": previous["id"] if previous else self.new_id(),
            "application_id": self.application_id,
            "version": self.new_id(),
            "default_member_permissions": None if perms is None else str(perms),
            "type": kind,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description") or "",
            "description_localizations": body.get("description_localizations"),
            "options": _without_nulls(body.get("options") or []),
            "nsfw": bool(body.get("nsfw")),
            "integration_types": body.get("integration_types") or [0],
            "contexts": body.get("contexts"),
        }
        if scope is None:
            command["dm_permission"] = body.get("dm_permission") is not False
        else:
            command["guild_id"] = scope
        return command

    async def _get_commands(self, ctx: Ctx) -> Any:
        return self.commands(self._command_scope(ctx))

    async def _put_commands(self, ctx: Ctx) -> Any:
        scope = self._command_scope(ctx)
        stored = [self._command_record(scope, body) for body in ctx.body or []]
        self._commands[scope] = stored
        return [dict(c) for c in stored]

    async def _post_command(self, ctx: Ctx) -> Any:
        scope = self._command_scope(ctx)
        command = self._command_record(scope, ctx.body)
        existing = self._commands.setdefault(scope, [])
        new = all(c["id"] != command["id"] for c in existing)
        self._commands[scope] = [c for c in existing if c["id"] != command["id"]] + [command]
        return (201 if new else 200), dict(command)

    async def _one_command(self, ctx: Ctx) -> Any:
        scope = self._command_scope(ctx)
        commands = self._commands.get(scope, [])
        found = next((c for c in commands if c["id"] == ctx.params["command_id"]), None)
        if found is None:
            raise ApiError(404, 10063, "Unknown application command")
        if ctx.op.method == "DELETE":
            self._commands[scope] = [c for c in commands if c is not found]
            return NO_CONTENT
        if ctx.op.method == "PATCH":
            found.update(self._command_record(scope, {**found, **ctx.body}))
        return dict(found)

    def _synced(self, name: str, kind: int, guild_id: str | None) -> dict[str, Any]:
        for scope in ([guild_id] if guild_id else []) + [None]:
            for command in self._commands.get(scope, []):
                if (command["name"], command["type"]) == (name, kind):
                    return command
        known = [c["name"] for s in self._commands.values() for c in s]
        raise AssertionError(f"no command {name!r} (type {kind}) was synced; synced: {known}")


def _without_nulls(value: Any) -> Any:
    """Discord leaves unset fields out of what it stores and answers."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value

"""The bot's one small HTTP server: calendar feeds, the public page, /healthz and /metrics.

It is one more front-end (see docs/OPERATIONS.md): it renders what the core, the store and the
running parts know for HTTP, the way the chat front-ends render it for chats. Each feature is a
route module (`routes(context) -> list[RouteDef]`) listed in `bot.web.server.ROUTE_MODULES`.
"""

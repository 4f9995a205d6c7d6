"""What a web handler may use: the running bot's parts, handed over in one object.

Built by the runtime (`Runtime.web_context`), so a handler sees exactly what the chat
front-ends see: the same catalog holder (a reload shows at once), the same clock (a replay's
pages and feeds are true at the replay's now), the same store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.chats import Router
from bot.chats.health import ChannelHealth
from bot.config import Config
from bot.core.catalog import CatalogHolder
from bot.core.clock import Clock
from bot.core.service import Service
from bot.delivery.engine import DeliveryEngine
from bot.scheduling import Announcer
from bot.store.protocol import Store
from bot.web.metrics import Metrics


@dataclass(frozen=True)
class FrontendState:
    """A chat front-end as /healthz sees it: running (started), and healthy when nothing is
    wrong; `problem` says what keeps it from running or what its connection lacks now, and
    `connection` is its live connection's state (polling, the gateway) once it started."""

    running: bool
    problem: str | None = None
    connection: Mapping[str, object] | None = None

    @property
    def healthy(self) -> bool:
        return self.running and self.problem is None


@dataclass
class WebContext:
    config: Config
    clock: Clock
    catalogs: CatalogHolder
    service: Service
    store: Store
    router: Router
    health: ChannelHealth
    announcer: Announcer
    engine: DeliveryEngine
    metrics: Metrics
    # Platform name ("Telegram", "Discord") -> its state now; asked at each request.
    frontend_states: Callable[[], Mapping[str, FrontendState]]
    # Where links handed out point: `web.public_url`, else the address the server listens
    # on (set by the server once it is bound, which matters when the port was 0).
    base_url: str = ""

    def link(self, path: str) -> str:
        """An absolute http(s) URL for `path` (which starts with "/")."""
        return f"{self.base_url or self.config.web.base_url()}{path}"

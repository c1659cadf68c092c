"""The application factory: routes, identity, CSRF, templates, error pages and the database lifespan."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.static_files import create_static_files_router
from sqlalchemy.ext.asyncio import async_sessionmaker

from auth.account_api import AccountAPI, RegistrationAPI
from auth.account_pages import AccountPages
from auth.api import AuthAPI
from auth.census.key import use_instance_secret
from auth.census.routes import CENSUS_HANDLERS
from auth.dependencies import provide_key_ring
from auth.keys import configure_key_secret, load_ring
from auth.middleware import IdentityMiddleware
from auth.pages import AuthPages
from ballots.api import BallotsAPI, ReceiptsAPI
from ballots.box import configure_box_secret
from ballots.deadlines import deadline_sweeper
from ballots.groups.api import BallotGroupsAPI
from ballots.manage_pages import BallotManagePages, PaperVotePages
from ballots.pages import BallotPages
from voting.admin.api import AdminAPI, PublicCityAPI
from voting.admin.pages import AdminPages
from voting.calendar.api import CalendarAPI
from voting.calendar.pages import CalendarPages
from voting.comments.routes import COMMENT_HANDLERS
from voting.config import Settings, load_or_create_key_secret, load_or_create_secret, load_settings
from voting.database import (
    close_driver_pool,
    make_engine,
    make_session_maker,
    open_driver_pool,
    provide_db_session,
    provide_read_session,
    resolve_database_url,
)
from voting.errors import exception_handlers
from voting.mail.pages import DevMailPages
from voting.mail.worker import mail_sender
from voting.maps.routes import MAP_HANDLERS
from voting.proposals.routes import PROPOSAL_HANDLERS
from voting.reference import reference_listener
from voting.replica import open_replica
from voting.results.api import ResultsAPI
from voting.results.audit_pages import AuditPages
from voting.results.pages import ResultPages
from voting.web.accessibility import AccessibilityPages
from voting.web.apidocs import SelfHostedSwagger
from voting.web.json_depth import JsonDepthMiddleware
from voting.web.pages import HomePages, health
from voting.web.security import STATIC_DIR, security_headers_hook
from voting.web.templating import template_config
from voting.web.vote_lane import VOTE_PATH, answer_vote

__all__ = ["GreenballotApp", "create_app", "serve_app", "ROUTE_HANDLERS"]

ROUTE_HANDLERS: list[Any] = [HomePages, AuthPages, AuthAPI, health, AdminAPI, PublicCityAPI, AdminPages,
                             ResultPages, ResultsAPI, AuditPages]
ROUTE_HANDLERS += PROPOSAL_HANDLERS
ROUTE_HANDLERS += [BallotsAPI, ReceiptsAPI, BallotPages, BallotManagePages, PaperVotePages]
ROUTE_HANDLERS += [BallotGroupsAPI]
ROUTE_HANDLERS += [RegistrationAPI, AccountAPI, AccountPages]
ROUTE_HANDLERS += [CalendarAPI, CalendarPages]
ROUTE_HANDLERS += CENSUS_HANDLERS
ROUTE_HANDLERS += [DevMailPages]
ROUTE_HANDLERS += [AccessibilityPages]
ROUTE_HANDLERS += COMMENT_HANDLERS
ROUTE_HANDLERS += MAP_HANDLERS
ROUTE_HANDLERS += [create_static_files_router(path="/static", directories=[STATIC_DIR], name="static",
                                              include_in_schema=False)]


class GreenballotApp(Litestar):
    """The Litestar app, with votes taken in their own lane first (:mod:`voting.web.vote_lane`)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and self.state.get("vote_lane", True) \
                and (match := VOTE_PATH.fullmatch(scope["path"])):
            scope["app"] = scope["litestar_app"] = self
            scope.setdefault("state", {})
            await answer_vote(self, int(match[1]), scope, receive, send, super().__call__)
            return
        await super().__call__(scope, receive, send)


def configure_secrets(settings: Settings) -> str:
    """Set this process's secrets from ``settings``; returns the instance secret."""
    secret = settings.secret or load_or_create_secret(settings.data_dir)
    configure_box_secret(secret)  # the ballot boxes' keys derive from the instance secret, never in the database
    configure_key_secret(load_or_create_key_secret(settings))  # private keys are stored encrypted under it
    use_instance_secret(secret)  # census document ids are hashed with a key derived from it
    return secret


def create_app(settings: Settings | None = None, *, session_maker: async_sessionmaker[Any] | None = None) -> Litestar:
    """Build the app; with ``session_maker`` (tests) it uses that instead of opening its own engine."""
    settings = settings or load_settings()
    secret = configure_secrets(settings)

    @asynccontextmanager
    async def database(app: Litestar) -> AsyncGenerator[None, None]:
        engine = None
        if session_maker is None:
            url = resolve_database_url(settings.database_url, settings.data_dir)
            engine = make_engine(url)
            app.state.session_maker = make_session_maker(engine)
            await open_driver_pool(app.state.session_maker, url)
            app.state.read_session_maker = make_session_maker(engine.execution_options(isolation_level="AUTOCOMMIT"))
            if settings.replica_url:  # pages that only read go there; votes, logins and principals never do
                app.state.replica = open_replica(settings.replica_url, app.state.read_session_maker)
        else:
            app.state.session_maker = session_maker

        async def reload_keys() -> None:
            async with app.state.session_maker() as session:
                app.state.key_ring = await load_ring(session)
                await session.commit()

        app.state.reload_keys = reload_keys
        await reload_keys()
        try:
            yield
        finally:
            if engine is not None:
                if getattr(app.state, "replica", None) is not None:
                    await app.state.replica.close()
                await close_driver_pool(app.state.session_maker)
                await engine.dispose()

    return GreenballotApp(
        route_handlers=ROUTE_HANDLERS,
        dependencies={"db_session": Provide(provide_db_session), "read_session": Provide(provide_read_session),
                      "key_ring": Provide(provide_key_ring)},
        middleware=[IdentityMiddleware(), JsonDepthMiddleware()],
        csrf_config=CSRFConfig(secret=secret, exclude=["/api/"], cookie_samesite="strict",
                               cookie_httponly=False),
        template_config=template_config(),
        exception_handlers=exception_handlers,
        before_send=[security_headers_hook(settings.trusted_proxies)],  # CSP, frames, HSTS... on every answer
        lifespan=[database] if session_maker is not None else [database, reference_listener, mail_sender,
                                                               deadline_sweeper],
        state=State({"settings": settings}),
        openapi_config=OpenAPIConfig(title="greenballot", version="1", path="/schema",
                                     render_plugins=[SelfHostedSwagger()]),
        debug=False,
    )


def serve_app() -> Litestar:
    """The app as a served worker runs it (uvicorn's factory): once it has started, what start-up built (modules,
    routes, the key ring: about half a million objects) is moved out of the garbage collector's sight
    (``gc.freeze``), so a full collection, which otherwise walks all of it, stops pausing requests."""
    import gc

    app = create_app()

    async def freeze_start_up_heap(_: Litestar) -> None:
        gc.collect()
        gc.freeze()

    app.on_startup.append(freeze_start_up_heap)
    return app

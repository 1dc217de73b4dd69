"""``/admin``: an overview for operators and the RQ dashboard, behind HTTP basic auth.

Both exist only when ``ADMIN_PASSWORD`` is set (user name ``admin``).
rq-dashboard has no authentication of its own, so the same check guards it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, render_template, request
from sqlalchemy import func, select

from app.celestrak import ElementCache
from app.db import session_scope
from app.models import Alert, Subscriber
from app.settings import Settings
from app.web import current_settings

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMIN_USER = "admin"


def init_admin(app: Flask, settings: Settings) -> None:
    """Mount the admin pages and the RQ dashboard, if an admin password is set."""
    if not settings.admin_password:
        return
    import rq_dashboard

    app.config.from_object(rq_dashboard.default_settings)
    app.config["RQ_DASHBOARD_REDIS_URL"] = settings.redis_url or "redis://127.0.0.1:6379"
    rq_dashboard.web.setup_rq_connection(app)
    # One guard on the app for every /admin path: rq-dashboard's blueprint is a
    # module-level object shared by every app, so it is not changed here.
    app.before_request(require_admin_under("/admin"))
    app.register_blueprint(rq_dashboard.blueprint, url_prefix="/admin/rq")
    app.register_blueprint(bp)


def require_admin_under(prefix: str) -> Callable[[], Response | None]:
    def guard() -> Response | None:
        return require_admin() if request.path.startswith(prefix) else None

    return guard


def require_admin() -> Response | None:
    """Ask for the admin password unless the request carries it."""
    settings = current_settings()
    auth = request.authorization
    given = (auth.password or "") if auth and auth.username == ADMIN_USER else ""
    if settings.admin_password and hmac.compare_digest(given, settings.admin_password):
        return None
    return Response("Admin password needed.\n", 401,
                    {"WWW-Authenticate": 'Basic realm="Overhead admin"'})  # fmt: skip


@bp.get("/")
def overview() -> str:
    settings = current_settings()
    with session_scope(settings.database_url) as session:
        subscribers = _count_by(session, Subscriber.status)
        alerts = _count_by(session, Alert.state)
    cached = ElementCache.for_settings(settings).current()
    elements: dict[str, Any] | None = None
    if cached:
        elements = {
            "epoch": cached.elements.epoch,
            "age_days": cached.elements.age_days(datetime.now(UTC)),
            "source": cached.source,
            "fetched_at": cached.fetched_at,
        }
    return render_template("admin/overview.html", subscribers=subscribers, alerts=alerts,
                           elements=elements)  # fmt: skip


def _count_by(session: Any, column: Any) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column))
    return {str(value): count for value, count in rows}

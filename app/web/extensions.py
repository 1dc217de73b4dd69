"""Flask extensions, made here and bound to each app in ``create_app``."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()

# Storage is Redis when REDIS_URL is set (shared by every web process), memory otherwise.
limiter = Limiter(key_func=get_remote_address)

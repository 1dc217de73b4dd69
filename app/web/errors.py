"""Readable error pages: every error a visitor can cause gets a page, never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

TITLES = {
    400: "That request did not make sense",
    403: "Not allowed",
    404: "Nothing here",
    405: "Not like that",
    413: "That was too much",
    422: "Please check the form",
    429: "Slow down, please",
}

EXPLANATIONS = {
    404: "There is no page at this address.",
    405: "This page does not take that kind of request.",
    413: "The form you sent was far larger than any real sign-up.",
}


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    app.register_error_handler(InternalServerError, unexpected_error)
    app.register_error_handler(HTTPException, http_error)


def render_error(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, message=message), status


def csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_error(
        400,
        "The form had expired",
        "For your safety a form only works for a while after it was opened, in the same "
        "browser. Please go back, reload the page and send it again.",
    )


def too_many_requests(error: RateLimitExceeded) -> tuple[str, int]:
    # The limit itself ("5 per 1 day") is no business of a visitor's, nor of an abuser's.
    return render_error(
        429,
        TITLES[429],
        "Too many sign-ups from here or for this number in a short time. "
        "This keeps our texts from being misused; please try again later.",
    )


def http_error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    default_text = type(error).description
    message = error.description if error.description != default_text else None
    return render_error(
        status,
        TITLES.get(status, error.name),
        message or EXPLANATIONS.get(status) or error.description or "",
    )


def unexpected_error(error: InternalServerError) -> tuple[str, int]:
    # Flask has logged the traceback; the visitor sees only an apology.
    return render_error(
        500,
        "Something went wrong on our side",
        "Sorry: nothing you did. Please try again in a few minutes.",
    )

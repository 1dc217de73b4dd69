"""The link from subscriber changes to the planner."""

from __future__ import annotations


def subscriber_changed(subscriber_id: int) -> None:
    """Called after a subscriber's status or preferences change has been committed.

    A placeholder: the planner hooks in here. It plans a newly confirmed
    subscriber at once and cancels the alerts of a stopped or paused one.
    """

"""The file backend: one JSON line per text, for local runs and end-to-end tests."""

from __future__ import annotations

import fcntl
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path


class OutboxGateway:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, to: str, body: str) -> str:
        message_id = f"outbox-{uuid.uuid4().hex[:12]}"
        line = json.dumps(
            {"id": message_id, "to": to, "body": body, "sent_at": datetime.now(UTC).isoformat()}
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as outbox:
            # Several worker processes may append at once; a lock keeps lines whole.
            fcntl.flock(outbox, fcntl.LOCK_EX)
            outbox.write(line + "\n")
        return message_id


def read_outbox(path: Path) -> list[dict[str, str]]:
    """Every message in an outbox file, oldest first."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

"""The development backend: texts are written to the log instead of sent."""

from __future__ import annotations

import logging
import uuid

log = logging.getLogger("overhead.sms")


class ConsoleGateway:
    def send(self, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        log.info("SMS to %s: %s", to, body)
        return message_id

"""The development backend: texts are printed to the console instead of sent.

Printed on standard output rather than logged, so they show up whatever
the process's logging set-up (gunicorn's workers included).
"""

from __future__ import annotations

import sys
import uuid


class ConsoleGateway:
    def send(self, to: str, body: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:12]}"
        print(f"SMS to {to}: {body}", file=sys.stdout, flush=True)
        return message_id

"""A small real HTTP SMS gateway for the tests, answering as a cloud SMS gateway does.

    POST /send      signed JSON → {"code": "OK", "message_id"} | {"code": "INVALID_PHONE", ...} (numbers in `reject`)
                    | 503 while `outage` is set (or `outage_next` > 0) | a hang past the client's timeout (`hang`)
    GET  /reports   the delivery reports that are due: immediately, or after `report_after` fetches (delayed)
Every request it answered is in `log` (phone, content, the answer), in order.
"""

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeGateway:
    def __init__(self, secret: str):
        self.secret = secret
        self.log: list[dict] = []
        self.reject: set[str] = set()
        self.outage = False
        self.outage_next = 0
        self.hang = 0.0
        self.report_after = 0  # fetches before a report is given (0: the first fetch)
        self.fail_delivery: set[str] = set()
        self.pending: list[dict] = []
        self.bad_signatures = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _signed(self, payload: bytes) -> bool:
                expected = hmac.new(gateway.secret.encode(), payload, hashlib.sha256).hexdigest()
                ok = hmac.compare_digest(expected, self.headers.get("X-Signature", ""))
                if not ok:
                    gateway.bad_signatures += 1
                return ok

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if not self._signed(body):
                    return self._answer(401, {"code": "SIGNATURE", "message": "签名错误"})
                msg = json.loads(body)
                if gateway.hang:
                    time.sleep(gateway.hang)
                with gateway._lock:
                    entry = {"phone": msg["phone"], "content": msg["content"], "out_id": msg["out_id"], "account": msg["account"]}
                    if gateway.outage or gateway.outage_next > 0:
                        gateway.outage_next = max(0, gateway.outage_next - 1)
                        gateway.log.append({**entry, "answer": "outage"})
                        return self._answer(503, {"code": "SERVICE_UNAVAILABLE"})
                    if msg["phone"] in gateway.reject:
                        gateway.log.append({**entry, "answer": "rejected"})
                        return self._answer(200, {"code": "INVALID_PHONE", "message": "号码无效"})
                    mid = f"gw-{next(gateway._ids)}"
                    gateway.log.append({**entry, "answer": "accepted", "message_id": mid})
                    status = "FAILED" if msg["phone"] in gateway.fail_delivery else "DELIVERED"
                    gateway.pending.append(
                        {"message_id": mid, "status": status, "fetches": 0, "error": "关机" if status == "FAILED" else ""}
                    )
                return self._answer(200, {"code": "OK", "message_id": mid})

            def do_GET(self):
                path, _, query = self.path.partition("?")
                if path != "/reports" or not self._signed(query.encode()):
                    return self._answer(401, {"code": "SIGNATURE"})
                with gateway._lock:
                    due, later = [], []
                    for r in gateway.pending:
                        (due if r["fetches"] >= gateway.report_after else later).append(r)
                        r["fetches"] += 1
                    gateway.pending = later
                reports = [
                    {"message_id": r["message_id"], "status": r["status"], "at": "2026-06-16T10:30:00+08:00", "error": r["error"]}
                    for r in due
                ]
                return self._answer(200, {"reports": reports})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def sent(self, phone=None):
        """The messages accepted, in order (optionally to one phone)."""
        return [e for e in self.log if e["answer"] == "accepted" and (phone is None or e["phone"] == phone)]

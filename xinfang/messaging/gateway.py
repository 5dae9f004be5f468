"""SMS gateway adapters for the messages to petitioners.

`get_gateway()` returns the one named by `XINFANG_PETITIONER_SMS_GATEWAY` (dotted path); the default `FileGateway`
writes JSON lines to `<XINFANG_OUTBOX_DIR>/petitioner-sms.jsonl` and reports delivery at once, so development works
offline. `HttpGateway` speaks to an HTTP SMS gateway of the Aliyun / Tencent Cloud kind:

    POST {URL}/send     {"account", "sign_name", "phone", "content", "out_id", "timestamp"}
                        header X-Signature: hex HMAC-SHA256(XINFANG_SMS_GATEWAY_SECRET, body)
        200 {"code": "OK", "message_id": "..."}      accepted (a delivery report follows)
        200/4xx {"code": "<other>", "message": ""}   rejected (bad number, blacklisted …): not retried
        5xx, 429, timeout, no connection             an outage: retried with backoff
    GET  {URL}/reports?account=&timestamp=       (signed the same way, over the query string)
        200 {"reports": [{"message_id", "status": "DELIVERED" | "FAILED", "at", "error"}]}

The gateway may push the same reports to `/portal/sms/report/` (`views_mine.sms_report`), signed as above.
"""

import hashlib
import hmac
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

ACCEPTED, REJECTED, OUTAGE = "accepted", "rejected", "outage"


@dataclass
class SendResult:
    outcome: str  # ACCEPTED, REJECTED or OUTAGE
    message_id: str = ""
    error: str = ""
    delivered_at: object = None  # set when the gateway confirms delivery in its answer (the file backend)


@dataclass
class Report:
    message_id: str
    delivered: bool
    at: object = None
    error: str = ""
    raw: dict = field(default_factory=dict)


def sign(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def signature_ok(payload: bytes, signature: str) -> bool:
    secret = getattr(settings, "XINFANG_SMS_GATEWAY_SECRET", "")
    return bool(secret) and hmac.compare_digest(sign(secret, payload), signature or "")


def parse_reports(body: dict) -> list[Report]:
    out = []
    for row in (body or {}).get("reports") or []:
        if not isinstance(row, dict) or not row.get("message_id"):
            continue
        at = parse_datetime(str(row.get("at") or "")) or timezone.now()
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        delivered = str(row.get("status", "")).upper() == "DELIVERED"
        out.append(Report(str(row["message_id"])[:100], delivered, at, str(row.get("error", ""))[:200], row))
    return out


class Gateway:
    def send(self, *, phone: str, text: str, ref: str) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError

    def fetch_reports(self) -> list[Report]:
        return []


_lock = threading.Lock()


class FileGateway(Gateway):
    """Development: one JSON line per message, delivered at once."""

    def send(self, *, phone: str, text: str, ref: str) -> SendResult:
        outbox = Path(getattr(settings, "XINFANG_OUTBOX_DIR", settings.BASE_DIR / "var" / "outbox"))
        outbox.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        message_id = f"file-{uuid.uuid4().hex[:16]}"
        line = json.dumps(
            {"message_id": message_id, "phone": phone, "content": text, "out_id": ref, "at": now.isoformat()}, ensure_ascii=False
        )
        with _lock, open(outbox / "petitioner-sms.jsonl", "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return SendResult(ACCEPTED, message_id, delivered_at=now)


class ConsoleGateway(Gateway):
    def send(self, *, phone: str, text: str, ref: str) -> SendResult:
        import logging

        logging.getLogger(__name__).info("[petitioner sms] to=%s ref=%s %s", phone[-4:], ref, text)
        return SendResult(ACCEPTED, f"console-{uuid.uuid4().hex[:16]}", delivered_at=timezone.now())


class HttpGateway(Gateway):
    def __init__(self):
        self.url = getattr(settings, "XINFANG_SMS_GATEWAY_URL", "").rstrip("/")
        self.account = getattr(settings, "XINFANG_SMS_GATEWAY_ACCOUNT", "")
        self.secret = getattr(settings, "XINFANG_SMS_GATEWAY_SECRET", "")
        self.sign_name = getattr(settings, "XINFANG_SMS_GATEWAY_SIGN_NAME", "信访")
        self.timeout = float(getattr(settings, "XINFANG_SMS_GATEWAY_TIMEOUT", 5))

    def _call(self, request) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 - the configured gateway
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            try:
                body = json.loads(exc.read() or b"{}")
            except ValueError:
                body = {}
            return exc.code, body if isinstance(body, dict) else {}
        except ValueError:
            return 502, {"message": "网关应答不是JSON"}

    def send(self, *, phone: str, text: str, ref: str) -> SendResult:
        payload = {
            "account": self.account,
            "sign_name": self.sign_name,
            "phone": phone,
            "content": text,
            "out_id": ref,
            "timestamp": int(timezone.now().timestamp()),
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Signature": sign(self.secret, body)}
        request = urllib.request.Request(f"{self.url}/send", data=body, headers=headers, method="POST")
        try:
            status, answer = self._call(request)
        except (OSError, TimeoutError) as exc:  # no connection, timeout
            return SendResult(OUTAGE, error=f"网关无法连接：{type(exc).__name__}"[:200])
        if status >= 500 or status == 429:
            return SendResult(OUTAGE, error=f"网关暂不可用（HTTP {status}）")
        if status == 200 and answer.get("code") == "OK" and answer.get("message_id"):
            return SendResult(ACCEPTED, str(answer["message_id"])[:100])
        return SendResult(REJECTED, error=f"网关拒收：{answer.get('code', status)} {answer.get('message', '')}".strip()[:200])

    def fetch_reports(self) -> list[Report]:
        query = urllib.parse.urlencode({"account": self.account, "timestamp": int(timezone.now().timestamp())})
        request = urllib.request.Request(f"{self.url}/reports?{query}", headers={"X-Signature": sign(self.secret, query.encode())})
        try:
            status, answer = self._call(request)
        except (OSError, TimeoutError):
            return []
        return parse_reports(answer) if status == 200 else []


def get_gateway() -> Gateway:
    path = getattr(settings, "XINFANG_PETITIONER_SMS_GATEWAY", "") or "xinfang.messaging.gateway.FileGateway"
    return import_string(path)()

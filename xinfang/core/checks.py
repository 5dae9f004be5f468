"""Production refuses to start without its own keys (DESIGN.md, "The record proves itself").

A system check at Error level (`xinfang.E101`–`E108`): every `manage.py` command that runs checks
(`check --deploy`, `migrate`, `runserver`, the cron commands) stops, and the WSGI/ASGI/Celery entry
points call `refuse_to_start()` (gunicorn's workers then fail to boot). Active only where the settings say
`XINFANG_PRODUCTION = True` (xinfang.settings.production); dev and test keep their repository defaults.

Each key must be set in the environment, must not be one of the repository's development keys
(settings.base.DEV_KEYS) and must be long enough to be a key.

`xinfang.E110` (every environment): the PDF font of xinfang/core/pdf.py must be an embeddable TrueType file
(fonts-arphic-uming by default), so `migrate` / `runserver` / `check` say so before the first receipt fails.
"""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET = 32


def _value(name):
    try:
        return getattr(settings, name)
    except ImproperlyConfigured:  # Django refuses an empty SECRET_KEY on access
        return ""


def _fernet_ok(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def key_errors() -> list[checks.Error]:
    if not getattr(settings, "XINFANG_PRODUCTION", False):
        return []
    dev = getattr(settings, "DEV_KEYS", {})
    errors = []

    def err(code, msg, hint):
        errors.append(checks.Error(msg, hint=hint, id=f"xinfang.{code}"))

    secret = _value("SECRET_KEY") or ""
    if not secret:
        err("E101", "生产环境未设置 SECRET_KEY", "在环境中设置 SECRET_KEY（50 位以上随机字符）")
    elif secret == dev.get("SECRET_KEY") or secret.startswith("dev-only") or len(secret) < MIN_SECRET:
        err("E102", "SECRET_KEY 是仓库中的开发密钥或过短", f"生成本机专用的随机密钥（不少于 {MIN_SECRET} 位）")

    field_keys = list(_value("XINFANG_FIELD_KEYS") or [])
    if not field_keys:
        err("E103", "生产环境未设置 XINFANG_FIELD_KEYS（身份字段加密密钥）", "Fernet 密钥，逗号分隔、新密钥在前；见 deploy/env.example")
    elif dev.get("XINFANG_FIELD_KEYS") in field_keys or not all(_fernet_ok(k) for k in field_keys):
        err("E104", "XINFANG_FIELD_KEYS 含仓库中的开发密钥或无效的 Fernet 密钥", "用 Fernet.generate_key() 生成本机专用的密钥")

    hash_key = _value("XINFANG_HASH_KEY") or ""
    if not hash_key:
        err("E105", "生产环境未设置 XINFANG_HASH_KEY（身份检索哈希密钥）", "在环境中设置 XINFANG_HASH_KEY（32 位以上随机字符）")
    elif hash_key == dev.get("XINFANG_HASH_KEY") or hash_key.startswith("dev-only") or len(hash_key) < MIN_SECRET:
        err("E106", "XINFANG_HASH_KEY 是仓库中的开发密钥或过短", f"生成本机专用的随机密钥（不少于 {MIN_SECRET} 位）")

    chain_keys = list(_value("XINFANG_CHAIN_KEYS") or [])
    if not chain_keys:
        err(
            "E107",
            "生产环境未设置 XINFANG_CHAIN_KEY（事件链签名密钥）",
            "在环境中设置 XINFANG_CHAIN_KEY（32 位以上随机字符；轮换时新密钥在前）",
        )
    elif any(k == dev.get("XINFANG_CHAIN_KEY") or k.startswith("dev-only") or len(k) < MIN_SECRET for k in chain_keys):
        err("E108", "XINFANG_CHAIN_KEY 含仓库中的开发密钥或过短的密钥", f"生成本机专用的随机密钥（不少于 {MIN_SECRET} 位）")
    return errors


@checks.register("xinfang_keys")
def production_keys(app_configs=None, **kwargs):
    return key_errors()


def refuse_to_start() -> None:
    """For the server entry points (wsgi, asgi, celery): raise with every key problem, in Chinese."""
    errors = key_errors()
    if errors:
        lines = [f"{e.id}: {e.msg}（{e.hint}）" for e in errors]
        raise ImproperlyConfigured("生产环境拒绝启动：\n" + "\n".join(lines))


@checks.register("xinfang_pdf_font")
def pdf_font(app_configs=None, **kwargs):
    """`xinfang.E110`: every PDF embeds the Chinese font of xinfang/core/pdf.py; without it no receipt, dossier or report prints."""
    from xinfang.core.pdf import font_problem

    problem = font_problem()
    if not problem:
        return []
    return [checks.Error(problem, hint="PDF（回执、案卷、告知书、统计报告）需要嵌入中文字体", id="xinfang.E110")]

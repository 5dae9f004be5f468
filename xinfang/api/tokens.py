"""API tokens (django-rest-knox): stored hashed, expire after `XINFANG_TOKEN_IDLE_HOURS` without use
(sliding: each use moves the expiry, never past `XINFANG_TOKEN_MAX_DAYS` after issue), end on logout,
on a password change and when the admin ends a user's sessions. The header stays
`Authorization: Token <token>` (knox's default prefix), as DESIGN.md's core API says.
"""

import binascii

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings

from xinfang.core.errors import NoPermission, NotFound
from xinfang.org.models import Role


def issue_token(user) -> tuple[str, AuthToken]:
    """A new token for `user` (the plain token is returned once; only its hash is stored)."""
    instance, token = AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)
    return token, instance


def revoke_token(token: str) -> bool:
    """End the token whose plain value is given (RFC 7009 style: whoever holds it may end it)."""
    token = (token or "").strip()
    for candidate in AuthToken.objects.filter(token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH]):
        try:
            digest = hash_token(token)
        except (TypeError, binascii.Error, ValueError):
            return False
        if digest == candidate.digest:
            candidate.delete()
            return True
    return False


def revoke_user_tokens(user) -> int:
    return AuthToken.objects.filter(user=user).delete()[0]


def end_user_sessions(*, actor, user=None, username: str = "") -> tuple[int, int]:
    """The admin ends every browser session and API token of a user (e.g. a lost phone, a leaver).

    Returns (sessions ended, tokens ended). The right is checked before the user is looked up (a
    non-admin learns nothing about usernames). Sessions are found by decoding the live ones: a
    county has hundreds, not millions.
    """
    if actor is None or not (actor.is_superuser or actor.has_role(Role.ADMIN)):
        raise NoPermission("只有系统管理员可以结束他人的会话和令牌")
    if user is None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise NotFound("没有这个用户")
    with transaction.atomic():
        ended = 0
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
                session.delete()
                ended += 1
        return ended, revoke_user_tokens(user)


@receiver(pre_save, sender=get_user_model(), dispatch_uid="xinfang-token-password-watch")
def _remember_password(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        instance._xf_password_changed = False
        return
    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._xf_password_changed = old is not None and old != instance.password


@receiver(post_save, sender=get_user_model(), dispatch_uid="xinfang-token-password-revoke")
def _revoke_on_password_change(sender, instance, created=False, **kwargs):
    """A new password ends every token (sessions end by themselves: Django hashes the password into them)."""
    if not created and getattr(instance, "_xf_password_changed", False):
        revoke_user_tokens(instance)

"""The single user model, with email login.

Its app is in both SHARED_APPS and TENANT_APPS (the documented exception, ADR 0001): in the
public schema the table holds operators and support staff, in each restaurant schema that
restaurant's staff. The same email in two schemas is two unrelated accounts.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    # Platform roles (operator, support) in the public schema; restaurant roles (owner,
    # manager, staff, viewer) in tenant schemas. Each side validates its own set.
    role = models.CharField(max_length=16, blank=True, default="")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return str(self.email)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """What a session (panel cookie or API token, tenants.auth) remembers of this
        account's credentials. Django's covers only the password hash; this covers the role
        and the active flag as well, so a password change or reset, a role change and a
        deactivation each end every session of the account at once."""
        return salted_hmac(
            "dysa.accounts.User.session_auth_hash",
            f"{self.password}|{self.role}|{int(self.is_active)}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

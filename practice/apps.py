from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice and accounts"

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth import signals
        from django.db.models.signals import pre_save

        from practice import addresses, audit, checks, middleware  # noqa: F401

        # Every sign-in attempt goes to the audit log, whichever form it came from.
        signals.user_logged_in.connect(audit.on_login, dispatch_uid="audit-login")
        signals.user_login_failed.connect(
            audit.on_login_failed, dispatch_uid="audit-login-failed"
        )
        signals.user_logged_out.connect(audit.on_logout, dispatch_uid="audit-logout")
        signals.user_logged_in.connect(
            middleware.note_sign_in_time, dispatch_uid="idle-clock"
        )
        mfa_signals.authentication_failed.connect(
            audit.on_mfa_failed, dispatch_uid="audit-mfa-failed"
        )
        # An account's own address is trusted (practice/addresses.py).
        pre_save.connect(
            addresses.verify_own_address,
            sender=EmailAddress,
            dispatch_uid="trust-own-address",
        )

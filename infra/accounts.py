"""Shopper accounts: a Cognito user pool and the storefront's app client (docs/architecture.md §4).

The pool signs shoppers up by email (verified with a code), holds the `shopper_id` custom attribute
and applies the password policy of `personalization.contracts.accounts`, the values the local twin
(`local.cognito`) builds its pool from. The app client has no secret (a browser cannot keep one) and
signs in with SRP and refresh tokens only; it may write `custom:shopper_id` only with profile
emulation, so a production deployment (`-c profileEmulation=false`) lets no account choose whom
it shops as.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.nag import acknowledge
from infra.settings import DeploymentSettings
from personalization.contracts.accounts import (
    ACCESS_TOKEN_MINUTES,
    AUTH_SESSION_MINUTES,
    ID_TOKEN_MINUTES,
    PASSWORD_POLICY,
    REFRESH_TOKEN_HOURS,
    SHOPPER_ID_ATTRIBUTE,
    SHOPPER_ID_MAX_LENGTH,
)

POOL_FINDINGS = {
    "AwsSolutions-COG1": (
        "The password policy asks for length (10 characters) with a lower-case letter, a capital and a "
        "digit, but no symbol: length over composition rules, as NIST SP 800-63B advises."
    ),
    "AwsSolutions-COG2": (
        "Shopper accounts of a storefront hold a browsing history and an emulated shopper, nothing to pay "
        "with; MFA would stand between every shopper and a sign-in for little gain. Turn it on with the "
        "pool's MFA setting where accounts hold more."
    ),
    "AwsSolutions-COG8": (
        "Threat protection (adaptive authentication, compromised-credential checks) needs the Plus feature "
        "plan, billed per monthly active user; the edge limits (per-method throttling, the optional WAF "
        "rate rule) and Cognito's own sign-in quotas bound abuse of this shop's pool."
    ),
}


class ShopperAccounts(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: DeploymentSettings) -> None:
        super().__init__(scope, construct_id)
        policy = PASSWORD_POLICY
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"{settings.stack_name}-shoppers",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            user_verification=cognito.UserVerificationConfig(
                email_subject="Your Northwind Goods confirmation code",
                email_body="Your confirmation code is {####}.",
                email_style=cognito.VerificationEmailStyle.CODE,
            ),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            custom_attributes={
                SHOPPER_ID_ATTRIBUTE: cognito.StringAttribute(
                    min_len=0, max_len=SHOPPER_ID_MAX_LENGTH, mutable=True
                )
            },
            password_policy=cognito.PasswordPolicy(
                min_length=policy.min_length,
                require_lowercase=policy.require_lowercase,
                require_uppercase=policy.require_uppercase,
                require_digits=policy.require_digits,
                require_symbols=policy.require_symbols,
                temp_password_validity=Duration.days(policy.temporary_password_days),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OFF,
            deletion_protection=settings.user_pool_deletion_protection,
            # Accounts are the shoppers' data: a protected pool outlives `cdk destroy`, like the buckets.
            removal_policy=RemovalPolicy.RETAIN
            if settings.user_pool_deletion_protection
            else RemovalPolicy.DESTROY,
        )
        for finding, reason in POOL_FINDINGS.items():
            acknowledge(self.user_pool, finding, reason)
        readable = cognito.ClientAttributes().with_standard_attributes(email=True, email_verified=True)
        writable = cognito.ClientAttributes().with_standard_attributes(email=True)
        if settings.profile_emulation:
            readable = readable.with_custom_attributes(SHOPPER_ID_ATTRIBUTE)
            writable = writable.with_custom_attributes(SHOPPER_ID_ATTRIBUTE)
        self.client = self.user_pool.add_client(
            "Storefront",
            user_pool_client_name="storefront",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.minutes(ID_TOKEN_MINUTES),
            access_token_validity=Duration.minutes(ACCESS_TOKEN_MINUTES),
            refresh_token_validity=Duration.hours(REFRESH_TOKEN_HOURS),
            auth_session_validity=Duration.minutes(AUTH_SESSION_MINUTES),
            read_attributes=readable,
            write_attributes=writable,
        )

    def storefront_config(self, region: str) -> dict[str, str]:
        """What config.json's `cognito` holds in AWS: the page signs in with SRP at Cognito's endpoint."""
        return {
            "region": region,
            "userPoolId": self.user_pool.user_pool_id,
            "clientId": self.client.user_pool_client_id,
        }

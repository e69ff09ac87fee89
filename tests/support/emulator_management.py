"""Shims for the management account's own services: AWS Budgets, the Account API and IAM
root access management. Installed by emulator.py (whose docstring lists every shim);
each is built on moto's own stored data, or, where moto has nothing, on a small store
kept in moto's backend objects so that a fresh emulator process starts empty.

AWS Budgets. moto stores budgets and their notifications but lacks some operations:
  - `UpdateBudget` replaces a budget's settings (its notifications kept), as AWS does;
    `NotFoundException` for a budget that does not exist.
  - `DescribeSubscribersForNotification`, `CreateSubscriber` and `DeleteSubscriber` work
    on the subscribers moto stored with each notification (`NotFoundException` for an
    unknown budget or notification, `DuplicateRecordException` for a subscriber that
    exists, `InvalidParameterException` when removing a notification's last subscriber).
  - Tags: `CreateBudget`'s `ResourceTags` are kept on moto's budget and answered by
    `ListTagsForResource`; `TagResource` adds or replaces, `UntagResource` removes.
  - A budget with `AutoAdjustData` needs no `BudgetLimit` (moto insisted on one); its
    limit reads as AWS's computed amount, 0 USD for an organization without history.
  Notifications are told apart by type, comparison, threshold and threshold type, as
  AWS does (moto compared whole request dictionaries).

Account API (alternate contacts). moto keeps each account's contacts but accepts any
`AccountId`. AWS refuses (`AccessDeniedException`) a call naming a member account while
`account.amazonaws.com` has no trusted access, one naming an account outside the
organization, and one naming the caller's own account (the management account's
contacts are read and written without `AccountId`); so does the shim.

Centralized root access (moto has none of it), on a small store in this module:
  - `iam.amazonaws.com` may get trusted access; IAM's `ListOrganizationsFeatures`,
    `EnableOrganizationsRootCredentialsManagement` and `EnableOrganizationsRootSessions`
    keep the organization's features, answering `ServiceAccessNotEnabledException`
    without that trusted access, as AWS does.
  - STS `AssumeRoot` from the management account, once root sessions are enabled, into a
    member account (not the management account), with one of AWS's root-task policies
    (`arn:aws:iam::aws:policy/root-task/...`) for at most 900 seconds; it hands out
    credentials bound to that account and task.
  - With those credentials, IAM's `GetLoginProfile`, `ListAccessKeys`,
    `ListSigningCertificates` and `ListMFADevices` answer the member account's root user
    credentials; `DeleteLoginProfile`, `DeleteAccessKey`, `DeleteSigningCertificate` and
    `DeactivateMFADevice` remove them. The task policy scopes them as AWS's does: the
    audit task only reads (`AccessDenied` otherwise), the delete task reads and deletes.
  - `POST /_plinth/root` seeds root credentials per member account
    (`{"credentials": {"<id>": {"password": true, "access_keys": [...],
    "signing_certificates": [...], "mfa_devices": [...]}}}`) and names accounts where
    `AssumeRoot` is denied, as an SCP or a boundary would (`"deny_assume_root": [...]`);
    `GET` answers what is stored.
"""

import json


def _same_notification(a, b):
    def key(n):
        return (
            n.get("NotificationType"),
            n.get("ComparisonOperator"),
            float(n.get("Threshold", 0)),
            n.get("ThresholdType", "PERCENTAGE"),
        )

    return key(a) == key(b)


def install_budgets_shims():
    """Add the AWS Budgets operations moto lacks; see the module docstring."""
    from moto.budgets import models
    from moto.budgets.exceptions import DuplicateRecordException, NotFoundException
    from moto.budgets.responses import BudgetsResponse
    from moto.core.exceptions import JsonRESTError

    original_init = models.Budget.__init__

    def budget_init(self, budget, notifications):
        if "BudgetLimit" not in budget and "AutoAdjustData" in budget:
            budget = dict(budget, BudgetLimit={"Amount": "0", "Unit": "USD"})
        original_init(self, budget, notifications)
        self.plinth_tags = {}

    models.Budget.__init__ = budget_init

    def find_budget(response):
        backend = response.backend
        account = response._get_param("AccountId")
        name = response._get_param("BudgetName")
        if name not in backend.budgets[account]:
            raise NotFoundException(f"Unable to find budget: {name} - the budget doesn't exist.")
        return backend.budgets[account][name]

    def find_notification(budget, details):
        for n in budget.notifications:
            if _same_notification(n.details, details):
                return n
        raise NotFoundException("Unable to find notification - the notification doesn't exist.")

    def budget_of_arn(response, arn):
        # arn:aws:budgets::<account>:budget/<name>
        try:
            account = arn.split(":")[4]
            name = arn.split(":budget/", 1)[1]
            return response.backend.budgets[account][name]
        except (IndexError, KeyError):
            raise NotFoundException(f"Unable to find resource {arn}")

    original_create = BudgetsResponse.create_budget

    def create_budget(self):
        answer = original_create(self)
        budget = find_budget_by(self, self._get_param("Budget")["BudgetName"])
        budget.plinth_tags = {t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []}
        return answer

    def find_budget_by(response, name):
        return response.backend.budgets[response._get_param("AccountId")][name]

    def update_budget(self):
        new = self._get_param("NewBudget")
        budget = self.backend.budgets[self._get_param("AccountId")].get(new["BudgetName"])
        if budget is None:
            raise NotFoundException(f"Unable to update budget: {new['BudgetName']} - the budget doesn't exist.")
        if "BudgetLimit" not in new and "AutoAdjustData" in new:
            new = dict(new, BudgetLimit={"Amount": "0", "Unit": "USD"})
        kept = {k: budget.budget[k] for k in ("TimePeriod",) if k in budget.budget}
        budget.budget = dict(new, **kept)
        return "{}"

    def delete_notification(self):
        budget = find_budget(self)
        n = find_notification(budget, self._get_param("Notification"))
        budget.notifications.remove(n)
        return "{}"

    def describe_subscribers_for_notification(self):
        budget = find_budget(self)
        n = find_notification(budget, self._get_param("Notification"))
        return json.dumps({"Subscribers": list(n.subscribers)})

    def create_subscriber(self):
        budget = find_budget(self)
        n = find_notification(budget, self._get_param("Notification"))
        subscriber = self._get_param("Subscriber")
        if subscriber in n.subscribers:
            raise DuplicateRecordException(record_type="subscriber", record_name=subscriber["Address"])
        n.subscribers.append(subscriber)
        return "{}"

    def delete_subscriber(self):
        budget = find_budget(self)
        n = find_notification(budget, self._get_param("Notification"))
        subscriber = self._get_param("Subscriber")
        if subscriber not in n.subscribers:
            raise NotFoundException("Unable to find subscriber - the subscriber doesn't exist.")
        if len(n.subscribers) == 1:
            raise JsonRESTError(
                "InvalidParameterException", "A notification must have at least one subscriber."
            )
        n.subscribers.remove(subscriber)
        return "{}"

    def list_tags_for_resource(self):
        budget = budget_of_arn(self, self._get_param("ResourceARN"))
        tags = [{"Key": k, "Value": v} for k, v in sorted(budget.plinth_tags.items())]
        return json.dumps({"ResourceTags": tags})

    def tag_resource(self):
        budget = budget_of_arn(self, self._get_param("ResourceARN"))
        for t in self._get_param("ResourceTags") or []:
            budget.plinth_tags[t["Key"]] = t["Value"]
        return "{}"

    def untag_resource(self):
        budget = budget_of_arn(self, self._get_param("ResourceARN"))
        for k in self._get_param("ResourceTagKeys") or []:
            budget.plinth_tags.pop(k, None)
        return "{}"

    for fn in (
        create_budget,
        update_budget,
        delete_notification,
        describe_subscribers_for_notification,
        create_subscriber,
        delete_subscriber,
        list_tags_for_resource,
        tag_resource,
        untag_resource,
    ):
        setattr(BudgetsResponse, fn.__name__, fn)


def _organization(account_id):
    from moto.organizations.models import organizations_backends

    return organizations_backends[account_id]["aws"]


def install_account_shims():
    """AWS's rules for the Account API's `AccountId`; see the module docstring."""
    from moto.account.responses import AccountResponse
    from moto.core.exceptions import JsonRESTError

    def checked(name):
        original = getattr(AccountResponse, name)
        action = "".join(w.title() for w in name.split("_"))

        def wrapper(self):
            member = self._get_param("AccountId")
            if member:
                org = _organization(self.current_account)
                principals = {s["ServicePrincipal"] for s in org.services}
                ids = {a.id for a in org.accounts}
                if member == self.current_account:
                    why = "to act on the calling account, leave AccountId out"
                elif "account.amazonaws.com" not in principals:
                    why = "trusted access for account.amazonaws.com is not enabled"
                elif member not in ids:
                    why = "the account is not a member of the organization"
                else:
                    why = None
                if why:
                    raise JsonRESTError(
                        "AccessDeniedException",
                        f"User is not authorized to perform: account:{action} ({why})",
                    )
            return original(self)

        setattr(AccountResponse, name, wrapper)

    for name in ("get_alternate_contact", "put_alternate_contact", "delete_alternate_contact"):
        checked(name)


# Centralized root access. Per management account: the IAM features enabled; per member
# account: its root user's credentials; the root sessions AssumeRoot handed out.
ROOT = {
    "features": {},  # management account id -> set of features
    "credentials": {},  # member account id -> {"password": bool, "access_keys": [...], ...}
    "denied": set(),  # member accounts where AssumeRoot fails, as an SCP would make it
    "sessions": {},  # access key id -> (member account id, task policy name)
}
ROOT_TASKS = {
    "IAMAuditRootUserCredentials": "audit",
    "IAMCreateRootUserPassword": "create",
    "IAMDeleteRootUserCredentials": "delete",
    "S3UnlockBucketPolicy": "s3",
    "SQSUnlockQueuePolicy": "sqs",
}
ROOT_READS = {"get_login_profile", "list_access_keys", "list_signing_certificates", "list_mfa_devices"}


def root_control(environ, start_response):
    """`POST /_plinth/root`: seed member accounts' root credentials and the accounts where
    AssumeRoot is denied; `GET`: what is stored now."""
    if environ["REQUEST_METHOD"] == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        for account, creds in (body.get("credentials") or {}).items():
            ROOT["credentials"][account] = {
                "password": bool(creds.get("password")),
                "access_keys": list(creds.get("access_keys") or []),
                "signing_certificates": list(creds.get("signing_certificates") or []),
                "mfa_devices": list(creds.get("mfa_devices") or []),
            }
        ROOT["denied"].update(body.get("deny_assume_root") or [])
    answer = {
        "credentials": ROOT["credentials"],
        "denied": sorted(ROOT["denied"]),
        "features": {k: sorted(v) for k, v in ROOT["features"].items()},
    }
    out = json.dumps(answer).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(out)))])
    return [out]


def install_root_access_shims():
    """IAM's organization features, STS AssumeRoot and root-session IAM calls."""
    import datetime
    import secrets

    from moto.core.exceptions import ServiceException
    from moto.core.responses import ActionResult, EmptyResult
    from moto.iam.responses import IamResponse
    from moto.organizations.models import FakeServiceAccess
    from moto.sts.responses import TokenResponse

    if "iam.amazonaws.com" not in FakeServiceAccess.TRUSTED_SERVICES:
        FakeServiceAccess.TRUSTED_SERVICES.append("iam.amazonaws.com")

    class ShimError(ServiceException):
        """An error moto serialises with the called service's own error shapes."""

    def query_error(code, message):
        return ShimError(code, message)

    def organization_of(response):
        org = _organization(response.current_account)
        if org.org is None:
            raise query_error("OrganizationNotFoundException", "The account is not in an organization")
        if org.org.master_account_id != response.current_account:
            raise query_error("AccountNotManagementOrDelegatedAdministratorException", "Call from the management account")
        return org

    def features_answer(org, response):
        features = ROOT["features"].setdefault(response.current_account, set())
        return ActionResult({"OrganizationId": org.org.id, "EnabledFeatures": sorted(features)})

    def list_organizations_features(self):
        org = organization_of(self)
        if "iam.amazonaws.com" not in {s["ServicePrincipal"] for s in org.services}:
            raise query_error("ServiceAccessNotEnabledException", "Trusted access for iam.amazonaws.com is not enabled")
        return features_answer(org, self)

    def enabler(feature):
        def enable(self):
            org = organization_of(self)
            if "iam.amazonaws.com" not in {s["ServicePrincipal"] for s in org.services}:
                raise query_error("ServiceAccessNotEnabledException", "Trusted access for iam.amazonaws.com is not enabled")
            ROOT["features"].setdefault(self.current_account, set()).add(feature)
            return features_answer(org, self)

        return enable

    IamResponse.list_organizations_features = list_organizations_features
    IamResponse.enable_organizations_root_credentials_management = enabler("RootCredentialsManagement")
    IamResponse.enable_organizations_root_sessions = enabler("RootSessions")

    def assume_root(self):
        target = self._get_param("TargetPrincipal")
        task = self._get_param("TaskPolicyArn") or {}
        arn = (task.get("arn") or task.get("Arn") or "") if isinstance(task, dict) else str(task)
        duration = int(self._get_param("DurationSeconds") or 900)
        org = _organization(self.current_account)
        if org.org is None or org.org.master_account_id != self.current_account:
            raise query_error("AccessDenied", "AssumeRoot is called from the management account")
        if "RootSessions" not in ROOT["features"].get(self.current_account, set()):
            raise query_error("AccessDenied", "Centralized root sessions are not enabled for the organization")
        if target == self.current_account or target not in {a.id for a in org.accounts}:
            raise query_error("AccessDenied", f"{target} is not a member account of the organization")
        name = arn.rsplit("/", 1)[-1]
        if not arn.startswith("arn:aws:iam::aws:policy/root-task/") or name not in ROOT_TASKS:
            raise query_error("ValidationError", f"{arn} is not a root task policy")
        if duration > 900:
            raise query_error("ValidationError", "DurationSeconds must be at most 900")
        if target in ROOT["denied"]:
            raise query_error("AccessDenied", f"sts:AssumeRoot on {target} is denied by a service control policy")
        key = "ASIA" + secrets.token_hex(8).upper()
        ROOT["sessions"][key] = (target, ROOT_TASKS[name])
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=duration)
        return ActionResult(
            {
                "Credentials": {
                    "AccessKeyId": key,
                    "SecretAccessKey": secrets.token_hex(20),
                    "SessionToken": secrets.token_hex(32),
                    "Expiration": expires,
                },
                "SourceIdentity": "",
            }
        )

    TokenResponse.assume_root = assume_root

    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)

    def root_call(name, handler):
        original = getattr(IamResponse, name)

        def wrapper(self):
            session = ROOT["sessions"].get(self.get_access_key())
            if session is None:
                return original(self)
            account, task = session
            allowed = task == "audit" and name in ROOT_READS or task == "delete"
            if not allowed:
                raise query_error("AccessDenied", f"the {task} task policy does not allow iam:{name}")
            creds = ROOT["credentials"].setdefault(
                account, {"password": False, "access_keys": [], "signing_certificates": [], "mfa_devices": []}
            )
            return handler(self, creds)

        setattr(IamResponse, name, wrapper)

    def no_such(what):
        return query_error("NoSuchEntity", f"The {what} of the root user cannot be found")

    def get_login_profile(self, creds):
        if not creds["password"]:
            raise no_such("login profile")
        return ActionResult({"LoginProfile": {"CreateDate": now, "PasswordResetRequired": False}})

    def delete_login_profile(self, creds):
        if not creds["password"]:
            raise no_such("login profile")
        creds["password"] = False
        return EmptyResult()

    def list_access_keys(self, creds):
        keys = [{"AccessKeyId": k, "Status": "Active", "CreateDate": now} for k in creds["access_keys"]]
        return ActionResult({"AccessKeyMetadata": keys, "IsTruncated": False})

    def delete_access_key(self, creds):
        key = self._get_param("AccessKeyId")
        if key not in creds["access_keys"]:
            raise no_such(f"access key {key}")
        creds["access_keys"].remove(key)
        return EmptyResult()

    def list_signing_certificates(self, creds):
        certs = [
            {"UserName": "root", "CertificateId": c, "CertificateBody": "-----BEGIN CERTIFICATE-----", "Status": "Active"}
            for c in creds["signing_certificates"]
        ]
        return ActionResult({"Certificates": certs, "IsTruncated": False})

    def delete_signing_certificate(self, creds):
        cert = self._get_param("CertificateId")
        if cert not in creds["signing_certificates"]:
            raise no_such(f"signing certificate {cert}")
        creds["signing_certificates"].remove(cert)
        return EmptyResult()

    def list_mfa_devices(self, creds):
        devices = [{"UserName": "root", "SerialNumber": d, "EnableDate": now} for d in creds["mfa_devices"]]
        return ActionResult({"MFADevices": devices, "IsTruncated": False})

    def deactivate_mfa_device(self, creds):
        serial = self._get_param("SerialNumber")
        if serial not in creds["mfa_devices"]:
            raise no_such(f"MFA device {serial}")
        creds["mfa_devices"].remove(serial)
        return EmptyResult()

    for name, handler in [
        ("get_login_profile", get_login_profile),
        ("delete_login_profile", delete_login_profile),
        ("list_access_keys", list_access_keys),
        ("delete_access_key", delete_access_key),
        ("list_signing_certificates", list_signing_certificates),
        ("delete_signing_certificate", delete_signing_certificate),
        ("list_mfa_devices", list_mfa_devices),
        ("deactivate_mfa_device", deactivate_mfa_device),
    ]:
        root_call(name, handler)

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

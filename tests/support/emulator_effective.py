"""Organizations `DescribeEffectivePolicy`, which moto lacks. Installed by emulator.py
(whose docstring lists every shim); computed on moto's own stored policies, roots, OUs,
accounts and attachments, so there is no state of its own.

What AWS does, and so the shim ("Understanding management policy inheritance" and
"Inheritance operators" in the AWS Organizations User Guide):

  - Management policy types only. SCPs and RCPs (authorization policies) answer
    `InvalidInputException`; so does a root or OU as `TargetId` (an account only, the
    caller's own when left out). An unknown account answers `TargetNotFoundException`.
  - A type not enabled on the root, or an account no policy of the type reaches, answers
    `EffectivePolicyNotFoundException`.
  - Otherwise the policies of the type are merged from the root down the account's OUs to
    the account itself, each level's policies in the order they were attached:
      * `@@assign` sets a value (a list replaces the inherited list);
      * `@@append` adds the values of a list not already in the inherited one;
      * `@@remove` takes values out of the inherited list;
      * `@@operators_allowed_for_child_policies` (`@@all`, `@@none`, or a list of the
        operators above) limits what the policies of the levels below may do to that
        setting and everything under it; an operator it does not allow is ignored there,
        and the inherited value stays.
    The answer is the merged document with the operators taken out (a setting reads as its
    value: `"tag_key": "CostCenter"`), as AWS shows effective policies.

Not modelled: the per-type rules AWS adds on top (a backup plan's regions, for one) and
AWS's own checks that an effective document is valid; the tests need neither.
"""

import copy
import json

from moto.core.utils import unix_time

AUTHORIZATION_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY")
SETTING_OPERATORS = ("@@assign", "@@append", "@@remove")
CHILD_CONTROL = "@@operators_allowed_for_child_policies"


def _allowed(operators):
    """The operators a child-control list allows, as a set."""
    if "@@all" in operators:
        return set(SETTING_OPERATORS)
    return {o for o in operators if o in SETTING_OPERATORS}


def _is_setting(node):
    return isinstance(node, dict) and any(k in node for k in SETTING_OPERATORS)


class Merge:
    """The effective document being built, and what each path still lets children do."""

    def __init__(self):
        self.document = {}
        # path (a tuple of keys) -> the operators policies below the level that set it allow.
        self.limits = {}

    def allows(self, path, operator):
        return all(
            operator in ops for p, ops in self.limits.items() if path[: len(p)] == p
        )

    def level(self, documents):
        """Apply the policies attached at one level; their limits bind the levels below."""
        limits = {}
        for doc in documents:
            self._walk(doc, (), limits)
        for path, ops in limits.items():
            self.limits[path] = self.limits.get(path, set(SETTING_OPERATORS)) & ops

    def _walk(self, node, path, limits):
        if CHILD_CONTROL in node:
            limits[path] = limits.get(path, set(SETTING_OPERATORS)) & _allowed(node[CHILD_CONTROL])
        for key, child in node.items():
            if key.startswith("@@"):
                continue
            here = path + (key,)
            if _is_setting(child):
                if CHILD_CONTROL in child:
                    limits[here] = limits.get(here, set(SETTING_OPERATORS)) & _allowed(child[CHILD_CONTROL])
                for op in SETTING_OPERATORS:
                    if op in child and self.allows(here, op):
                        self._set(here, op, child[op])
            elif isinstance(child, dict):
                self._container(here)
                self._walk(child, here, limits)
            elif self.allows(here, "@@assign"):
                self._set(here, "@@assign", child)

    def _container(self, path):
        node = self.document
        for key in path:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        return node

    def _set(self, path, op, value):
        parent = self._container(path[:-1])
        key = path[-1]
        current = parent.get(key)
        if op == "@@assign":
            parent[key] = copy.deepcopy(value)
        elif op == "@@append":
            values = list(current) if isinstance(current, list) else []
            values.extend(v for v in value if v not in values)
            parent[key] = values
        elif op == "@@remove" and isinstance(current, list):
            parent[key] = [v for v in current if v not in value]


def _chain(backend, account):
    """The root, the account's OUs from the top, and the account: each level's policies."""
    by_id = {ou.id: ou for ou in backend.ou}
    levels = [account]
    parent = by_id.get(account.parent_id)
    while parent is not None:
        levels.append(parent)
        parent = by_id.get(getattr(parent, "parent_id", None))
    return list(reversed(levels))


def effective_policy(backend, policy_type, target_id):
    """The effective document of `policy_type` for the account `target_id`, or `None`."""
    from moto.organizations.exceptions import InvalidInputException, TargetNotFoundException

    if policy_type in AUTHORIZATION_TYPES:
        raise InvalidInputException(
            "DescribeEffectivePolicy applies only to management policy types, not to SCPs or RCPs"
        )
    if target_id.startswith(("r-", "ou-")):
        raise InvalidInputException("Specifying an organization root or OU as the target is not supported")
    account = next((a for a in backend.accounts if a.id == target_id), None)
    if account is None:
        raise TargetNotFoundException
    root = next(ou for ou in backend.ou if getattr(ou, "type", None) == "ROOT")
    if not any(t["Type"] == policy_type for t in root.policy_types):
        return None
    merge, found = Merge(), False
    for level in _chain(backend, account):
        documents = [json.loads(p.content) for p in level.attached_policies if p.type == policy_type]
        found = found or bool(documents)
        merge.level(documents)
    return merge.document if found else None


def install_effective_policy_shim():
    from moto.organizations.exceptions import OrganizationsClientError
    from moto.organizations.responses import OrganizationsResponse

    class EffectivePolicyNotFoundException(OrganizationsClientError):
        def __init__(self, policy_type, target_id):
            super().__init__(
                "EffectivePolicyNotFoundException",
                f"No effective policy of type {policy_type} found for target {target_id}",
            )

    def describe_effective_policy(self):
        backend = self.organizations_backend
        policy_type = self._get_param("PolicyType")
        target_id = self._get_param("TargetId") or self.current_account
        document = effective_policy(backend, policy_type, target_id)
        if document is None:
            raise EffectivePolicyNotFoundException(policy_type, target_id)
        return json.dumps(
            {
                "EffectivePolicy": {
                    "PolicyContent": json.dumps(document),
                    "LastUpdatedTimestamp": unix_time(),
                    "TargetId": target_id,
                    "PolicyType": policy_type,
                }
            }
        )

    OrganizationsResponse.describe_effective_policy = describe_effective_policy

"""Seeds and disturbs the emulated organization for `make demo`.

    demo_org.py ENDPOINT seed    an organization with OUs and accounts, as a company has
    demo_org.py ENDPOINT drift   out-of-band changes that plinth must notice and repair
"""

import json
import urllib.request
import sys

import boto3


def client(endpoint):
    return boto3.client(
        "organizations",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seed(org):
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    workloads = org.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]["Id"]
    org.create_organizational_unit(ParentId=root, Name="Sandbox")
    for name in ("payments-prod", "payments-dev", "data-prod"):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        org.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=workloads)
    print("seeded: organization with OUs Workloads and Sandbox, 3 accounts in Workloads")
    sso = aws(org, "sso-admin")
    store_id = sso.list_instances()["Instances"][0]["IdentityStoreId"]
    store = aws(org, "identitystore")
    for group in ("platform-admins", "developers"):
        store.create_group(IdentityStoreId=store_id, DisplayName=group)
    store.create_user(
        IdentityStoreId=store_id,
        UserName="alice",
        DisplayName="Alice Example",
        Name={"GivenName": "Alice", "FamilyName": "Example"},
    )
    print("seeded: IAM Identity Center with groups platform-admins and developers, user alice")


def aws(org, service):
    return boto3.client(
        service,
        endpoint_url=org.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def policy_id(org, name):
    for page in org.get_paginator("list_policies").paginate(Filter="SERVICE_CONTROL_POLICY"):
        for p in page["Policies"]:
            if p["Name"] == name:
                return p["Id"]
    raise SystemExit(f"no policy {name}")


def root_users(org):
    """Member accounts' root users with credentials, as accounts opened before centralized
    root access have them."""
    ids = {a["Name"]: a["Id"] for a in org.list_accounts()["Accounts"]}
    seeded = {
        ids["payments-prod"]: {"password": True, "access_keys": ["AKIAPAYMENTSROOT1"]},
        ids["data-prod"]: {"password": True, "mfa_devices": [f"arn:aws:iam::{ids['data-prod']}:mfa/root-account-mfa-device"]},
    }
    body = json.dumps({"credentials": seeded}).encode()
    request = urllib.request.Request(org.meta.endpoint_url + "/_plinth/root", data=body, method="POST")
    urllib.request.urlopen(request).read()
    print("root users: payments-prod has a password and an access key, data-prod a password and an MFA device")


def drift(org):
    region = policy_id(org, "plinth-region-deny")
    doc = json.loads(org.describe_policy(PolicyId=region)["Policy"]["Content"])
    doc["Statement"][0]["Condition"]["StringNotEquals"]["aws:RequestedRegion"].append("ap-southeast-2")
    org.update_policy(PolicyId=region, Content=json.dumps(doc, indent=2))
    print("drift: someone allowed ap-southeast-2 in plinth-region-deny")
    custom = policy_id(org, "deny-iam-users")
    target = org.list_targets_for_policy(PolicyId=custom)["Targets"][0]
    org.detach_policy(PolicyId=custom, TargetId=target["TargetId"])
    print(f"drift: someone detached deny-iam-users from {target['Name']}")
    cloudwatch = boto3.client(
        "cloudwatch",
        endpoint_url=org.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    cloudwatch.delete_alarms(AlarmNames=["plinth-billing-org-monthly"])
    print("drift: someone deleted the billing alarm plinth-billing-org-monthly")
    cloudtrail = boto3.client(
        "cloudtrail",
        endpoint_url=org.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    cloudtrail.stop_logging(Name="org-trail")
    print("drift: someone stopped logging on the organization trail")
    sso = aws(org, "sso-admin")
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    for arn in sso.list_permission_sets(InstanceArn=instance)["PermissionSets"]:
        ps = sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionSet"]
        if ps["Name"] == "PowerUser":
            sso.update_permission_set(InstanceArn=instance, PermissionSetArn=arn, SessionDuration="PT12H")
            print("drift: someone stretched PowerUser sessions to 12 hours")
    budgets = aws(org, "budgets")
    account = "123456789012"
    budget = budgets.describe_budget(AccountId=account, BudgetName="plinth-org-monthly")["Budget"]
    budgets.update_budget(
        AccountId=account,
        NewBudget={
            "BudgetName": budget["BudgetName"],
            "BudgetLimit": {"Amount": "25000", "Unit": "USD"},
            "TimeUnit": budget["TimeUnit"],
            "BudgetType": budget["BudgetType"],
        },
    )
    print("drift: someone raised the budget plinth-org-monthly to 25,000 USD")
    accounts = org.list_accounts()["Accounts"]
    member = next(a for a in accounts if a["Id"] != account)
    aws(org, "account").put_alternate_contact(
        AccountId=member["Id"],
        AlternateContactType="SECURITY",
        Name="Former Admin",
        Title="Admin",
        EmailAddress="admin@example.com",
        PhoneNumber="+1-555-0199",
    )
    print(f"drift: someone made a former admin the security contact of {member['Name']}")


def main():
    endpoint, action = sys.argv[1], sys.argv[2]
    {"seed": seed, "drift": drift, "root-users": root_users}[action](client(endpoint))


if __name__ == "__main__":
    main()

"""plinth's local AWS emulator: moto's server, plus the smallest shims plinth needs.

Started by the Rust test harness (tests/support/mod.rs) and by `make demo`. It binds
the loopback address on the given port (0 = any free port) and prints one line,
`PLINTH_EMULATOR_PORT=<port>`, once it accepts connections. State lives in this
process only: a new process is a fresh AWS.

Shims, each filling a gap in moto and built on moto's own behaviour and data:

* CloudWatch over Smithy rpc-v2-cbor. The AWS SDK for Rust speaks rpc-v2-cbor to
  CloudWatch (`POST /service/GraniteServiceVersion20100801/operation/<Op>`, CBOR body,
  `smithy-protocol: rpc-v2-cbor`); moto only speaks AWS JSON 1.0 and query. The shim
  decodes the CBOR request, forwards it to moto as AWS JSON 1.0 (`X-Amz-Target:
  GraniteServiceVersion20100801.<Op>`), and encodes moto's JSON answer back as CBOR.
  Timestamps go out as CBOR tag 1 (epoch seconds), as the protocol requires; which
  fields are timestamps comes from botocore's CloudWatch model, which moto ships with.

* CloudWatch DescribeAlarms paging. moto returns every alarm in one answer and ignores
  `MaxRecords`; AWS returns at most `MaxRecords` (default 50, at most 100) per page,
  sorted by name, with a `NextToken`. The shim pages moto's own answer the same way, so
  tests count the calls AWS would need.

* IAM Identity Center (sso-admin). moto stores permission sets, their tags, policies
  and assignments, but lacks some operations plinth needs. The shim adds them to moto's
  own response class, on moto's own stored objects:
  - `ListTagsForResource` answers with the tags moto stored at `CreatePermissionSet`.
  - `Put`/`Get`/`DeletePermissionsBoundary…` keep the boundary on moto's permission set
    object; `Get` answers `ResourceNotFoundException` when there is none, as AWS does.
  - Provisioning: AWS provisions a permission set to an account when an assignment is
    created there, and a change to the set leaves those copies outdated until
    `ProvisionPermissionSet`. The shim derives "provisioned to" from moto's assignments
    (plus the accounts moto itself recorded as provisioned), marks a set's copies
    outdated when one of moto's mutating operations touches it, and answers
    `ListAccountsForProvisionedPermissionSet` (with its `ProvisioningStatus` filter) and
    `DescribePermissionSetProvisioningStatus` from that.
"""

import argparse
import base64
import datetime
import io
import json
import re
import sys

import cbor2
import botocore.session
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

CBOR_PATH = re.compile(r"^/service/GraniteServiceVersion20100801/operation/(\w+)$")
CLOUDWATCH_TARGET = "GraniteServiceVersion20100801"


def _json_ready(value):
    """CBOR-decoded request values as JSON 1.0 expects them."""
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    return value


def _to_datetime(value):
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    if isinstance(value, str):
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed
    return value


def _cbor_ready(value, shape):
    """JSON response values shaped for CBOR: timestamps as datetimes (tag 1), blobs as bytes."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        return {
            k: _cbor_ready(v, shape.members.get(k)) for k, v in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_cbor_ready(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _cbor_ready(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        return _to_datetime(value)
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value


def _page_describe_alarms(params, answer):
    """Page moto's complete DescribeAlarms answer as AWS does."""
    size = min(int(params.get("MaxRecords") or 50), 100)
    start = int(params.get("NextToken") or 0)
    for key in ("MetricAlarms", "CompositeAlarms"):
        answer[key] = sorted(answer.get(key) or [], key=lambda a: a.get("AlarmName", ""))
    metric, composite = answer["MetricAlarms"], answer["CompositeAlarms"]
    everything = [("MetricAlarms", a) for a in metric] + [("CompositeAlarms", a) for a in composite]
    page = everything[start : start + size]
    answer["MetricAlarms"] = [a for k, a in page if k == "MetricAlarms"]
    answer["CompositeAlarms"] = [a for k, a in page if k == "CompositeAlarms"]
    if start + size < len(everything):
        answer["NextToken"] = str(start + size)
    else:
        answer.pop("NextToken", None)
    return answer


class CborTranslator:
    """WSGI middleware: CloudWatch rpc-v2-cbor in front of moto's AWS JSON 1.0."""

    def __init__(self, app):
        self.app = app
        self.model = botocore.session.get_session().get_service_model("cloudwatch")

    def __call__(self, environ, start_response):
        match = CBOR_PATH.match(environ.get("PATH_INFO", ""))
        if not match:
            return self.app(environ, start_response)
        operation = match.group(1)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        params = _json_ready(cbor2.loads(raw)) if raw else {}
        body = json.dumps(params).encode()

        inner = dict(environ)
        inner["PATH_INFO"] = "/"
        inner["RAW_URI"] = inner["REQUEST_URI"] = "/"
        inner["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        inner["CONTENT_LENGTH"] = str(len(body))
        inner["HTTP_X_AMZ_TARGET"] = f"{CLOUDWATCH_TARGET}.{operation}"
        inner["wsgi.input"] = io.BytesIO(body)
        inner.pop("HTTP_SMITHY_PROTOCOL", None)

        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda data: None

        chunks = self.app(inner, capture)
        try:
            answer = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()

        status = captured["status"]
        code = int(status.split()[0])
        try:
            decoded = json.loads(answer) if answer.strip() else {}
        except ValueError:
            decoded = {"__type": "InternalFailure", "message": answer.decode(errors="replace")}
        if code < 300 and operation == "DescribeAlarms":
            decoded = _page_describe_alarms(params, decoded)
        if code < 300:
            try:
                shape = self.model.operation_model(operation).output_shape
            except Exception:  # an operation botocore does not know: pass it through untyped
                shape = None
            decoded = _cbor_ready(decoded, shape)
        out = cbor2.dumps(decoded, datetime_as_timestamp=True, timezone=datetime.timezone.utc)
        headers = [
            (k, v)
            for k, v in captured["headers"]
            if k.lower() not in ("content-type", "content-length", "x-amzn-query-mode")
        ]
        headers += [
            ("Content-Type", "application/cbor"),
            ("Content-Length", str(len(out))),
            ("smithy-protocol", "rpc-v2-cbor"),
        ]
        start_response(status, headers)
        return [out]


def install_sso_admin_shims():
    """Add the sso-admin operations moto lacks; see the module docstring."""
    from moto.ssoadmin import models as sso_models
    from moto.ssoadmin.exceptions import ResourceNotFoundException
    from moto.ssoadmin.responses import SSOAdminResponse

    backend_class = sso_models.SSOAdminBackend

    def provisioned_accounts(backend, ps):
        accounts = {
            a.target_id
            for a in backend.account_assignments
            if a.permission_set_arn == ps.permission_set_arn
        }
        for instance in backend.instances:
            if ps in instance.provisioned_permission_sets:
                accounts.add(backend.account_id)
        return accounts

    def stale(ps):
        if not hasattr(ps, "plinth_stale_accounts"):
            ps.plinth_stale_accounts = set()
        return ps.plinth_stale_accounts

    def marks_outdated(name):
        original = getattr(backend_class, name)

        def wrapper(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            arn = kwargs.get("permission_set_arn")
            instance = kwargs.get("instance_arn")
            ps = self._find_permission_set(instance, arn)
            stale(ps).update(provisioned_accounts(self, ps))
            return result

        setattr(backend_class, name, wrapper)

    for name in (
        "update_permission_set",
        "put_inline_policy_to_permission_set",
        "delete_inline_policy_from_permission_set",
        "attach_managed_policy_to_permission_set",
        "detach_managed_policy_from_permission_set",
        "attach_customer_managed_policy_reference_to_permission_set",
        "detach_customer_managed_policy_reference_from_permission_set",
    ):
        marks_outdated(name)

    # Creating an assignment provisions the latest version to its account.
    original_create = backend_class.create_account_assignment

    def create_account_assignment(self, *args, **kwargs):
        result = original_create(self, *args, **kwargs)
        for ps in self.permission_sets:
            if ps.permission_set_arn == kwargs.get("permission_set_arn"):
                stale(ps).discard(kwargs.get("target_id"))
        return result

    backend_class.create_account_assignment = create_account_assignment

    def permission_set(response):
        return response.ssoadmin_backend._find_permission_set(
            response._get_param("InstanceArn"), response._get_param("PermissionSetArn")
        )

    def list_tags_for_resource(self):
        ps = self.ssoadmin_backend._find_permission_set(
            self._get_param("InstanceArn"), self._get_param("ResourceArn")
        )
        return json.dumps({"Tags": list(ps.tags or [])})

    def put_permissions_boundary_to_permission_set(self):
        ps = permission_set(self)
        ps.plinth_boundary = self._get_param("PermissionsBoundary")
        stale(ps).update(provisioned_accounts(self.ssoadmin_backend, ps))
        return "{}"

    def get_permissions_boundary_for_permission_set(self):
        ps = permission_set(self)
        boundary = getattr(ps, "plinth_boundary", None)
        if not boundary:
            raise ResourceNotFoundException("Could not find PermissionsBoundary for the permission set")
        return json.dumps({"PermissionsBoundary": boundary})

    def delete_permissions_boundary_from_permission_set(self):
        ps = permission_set(self)
        if not getattr(ps, "plinth_boundary", None):
            raise ResourceNotFoundException("Could not find PermissionsBoundary for the permission set")
        ps.plinth_boundary = None
        stale(ps).update(provisioned_accounts(self.ssoadmin_backend, ps))
        return "{}"

    statuses = {}
    original_provision = SSOAdminResponse.provision_permission_set

    def provision_permission_set(self):
        answer = json.loads(original_provision(self))
        ps = permission_set(self)
        if self._get_param("TargetType") == "AWS_ACCOUNT":
            stale(ps).discard(self._get_param("TargetId"))
        else:
            stale(ps).clear()
        status = answer["PermissionSetProvisioningStatus"]
        statuses[status["RequestId"]] = status
        return json.dumps(answer)

    def describe_permission_set_provisioning_status(self):
        request = self._get_param("ProvisionPermissionSetRequestId")
        if request not in statuses:
            raise ResourceNotFoundException(f"Could not find provisioning request {request}")
        return json.dumps({"PermissionSetProvisioningStatus": statuses[request]})

    def list_accounts_for_provisioned_permission_set(self):
        ps = permission_set(self)
        accounts = provisioned_accounts(self.ssoadmin_backend, ps)
        wanted = self._get_param("ProvisioningStatus")
        if wanted == "LATEST_PERMISSION_SET_NOT_PROVISIONED":
            accounts = accounts & stale(ps)
        elif wanted == "LATEST_PERMISSION_SET_PROVISIONED":
            accounts = accounts - stale(ps)
        accounts = sorted(accounts)
        size = int(self._get_param("MaxResults") or 100)
        start = int(self._get_param("NextToken") or 0)
        answer = {"AccountIds": accounts[start : start + size]}
        if start + size < len(accounts):
            answer["NextToken"] = str(start + size)
        return json.dumps(answer)

    for fn in (
        list_tags_for_resource,
        put_permissions_boundary_to_permission_set,
        get_permissions_boundary_for_permission_set,
        delete_permissions_boundary_from_permission_set,
        provision_permission_set,
        describe_permission_set_provisioning_status,
        list_accounts_for_provisioned_permission_set,
    ):
        setattr(SSOAdminResponse, fn.__name__, fn)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    install_sso_admin_shims()
    app = CborTranslator(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"PLINTH_EMULATOR_PORT={server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

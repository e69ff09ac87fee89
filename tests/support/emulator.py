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
  - `ListTagsForResource` answers with the tags moto stored at `CreatePermissionSet`;
    `TagResource` adds to (or replaces the value of) those tags, as AWS does, and
    `UntagResource` removes the keys it names.
  - `Put`/`Get`/`DeletePermissionsBoundary…` keep the boundary on moto's permission set
    object; `Get` answers `ResourceNotFoundException` when there is none, as AWS does.
  - Names are unique per instance (`ConflictException`) and creating an assignment that
    exists makes no second one, as on AWS (moto keeps duplicates of both).
  - Assignments are indexed by key and by principal next to moto's list (moto scans
    the whole list for each page of `ListAccountAssignmentsForPrincipal`, which at
    15,000 assignments made the emulator slower than the quota it enforces); the
    answers are moto's, in moto's order.
  - Provisioning: AWS provisions a permission set to an account when an assignment is
    created there, and a change to the set leaves those copies outdated until
    `ProvisionPermissionSet`. The shim derives "provisioned to" from moto's assignments
    (plus the accounts moto itself recorded as provisioned), marks a set's copies
    outdated when one of moto's mutating operations touches it, and answers
    `ListAccountsForProvisionedPermissionSet` (with its `ProvisioningStatus` filter) and
    `DescribePermissionSetProvisioningStatus` from that.

* S3 `CreateBucket` with `Tags` in its `CreateBucketConfiguration` (AWS tags a
  general purpose bucket in the same call; moto ignores them). The shim puts them on
  moto's bucket after moto creates it, so ownership by tag works as on AWS.

* S3's defaults for a new bucket. Since 2023 AWS creates every general purpose bucket
  with all four public access block settings on and SSE-S3 default encryption
  (`AES256`, bucket key off); moto creates it with neither. The shim sets both on moto's
  bucket when moto creates it; `Put…`/`Delete…` change them as before.

* S3 `ExpectedBucketOwner` (the `x-amz-expected-bucket-owner` header), which moto
  ignores. moto keeps each bucket in the backend of the account that created it and
  records that account in `s3_backends.bucket_accounts` (the global bucket namespace);
  a request on a bucket (or one of its objects) whose header names another account is
  answered `403 AccessDenied`, as AWS does, before moto handles it. A request without
  the header, or on a bucket that does not exist (`NoSuchBucket`, as on AWS), goes to
  moto unchanged; moto still lets other accounts in, as a bucket policy could on AWS.

* S3 `GetBucketVersioning`'s answer. moto (5.2.5) names its root element
  `GetBucketVersioningResponse`; S3 answers `VersioningConfiguration`, which the AWS
  SDKs parse. The shim renames the root of moto's own answer; the status inside is moto's.

* CloudTrail's event selectors of a new trail. AWS gives a trail made without
  `PutEventSelectors` one basic selector, management events read and write
  (`ReadWriteType: All`, `IncludeManagementEvents: true`), which `GetEventSelectors`
  answers; moto gives it none. The shim puts AWS's selector on moto's trail when moto
  creates it, so `PutEventSelectors` (basic or advanced) replaces it as on AWS.

* Organizations uniqueness, which moto does not enforce. `CreateAccount` with an e-mail
  address an account of the organization already has: AWS's request fails with
  `EMAIL_ALREADY_EXISTS`; the shim answers a FAILED status with that reason (and
  `DescribeCreateAccountStatus` answers it too). `CreateOrganizationalUnit` with the name
  of a sibling: AWS answers `DuplicateOrganizationalUnitException`, and so does the shim.
  A test that sends something twice fails as it would on AWS instead of leaving a
  duplicate.

* Organizations policy types, which moto models loosely. AWS's rules, on moto's own
  stored policies, roots and attachments (plinth checks all of these before it calls,
  so these make the emulator refuse what AWS refuses rather than accept it):
  - Every policy type of the Organizations API is one (moto builds AI opt-out, RCP, SCP
    and tag policies only, and lists backup policies it cannot create; the shim adds
    backup, EC2 declarative, S3, chat applications, Security Hub, Inspector, GuardDuty,
    Bedrock, upgrade rollout and Network Security Director policies): each can be
    enabled on the root, and its policies created, listed, attached and described like
    any other type's, with AWS's ARN form.
  - `declarative-policies.ec2.amazonaws.com` may be given trusted access.
  - `AttachPolicy` of a customer managed policy whose type is not enabled on the root
    answers `PolicyTypeNotEnabledException`.
  - A document over its type's size (`CreatePolicy`, `UpdatePolicy`) and an attachment
    that would put more policies of a type on a target than AWS allows answer
    `ConstraintViolationException` (`POLICY_CONTENT_LIMIT_EXCEEDED`,
    `MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED`), by AWS's per-type limits (the same
    figures as plinth's table, `src/types/policy_types.rs`).
  - `RCPFullAWSAccess` cannot be detached (`ConstraintViolationException`), as on AWS.

* Organizations page sizes. AWS answers `ListAccounts` and `ListTargetsForPolicy` at
  most 20 items a page (`MaxResults` 1 to 20, 20 when left out; outside that range an
  `InvalidInputException`), with a `NextToken`;
  moto answers 100 accounts a page and every target of a policy at once. The shim
  gives moto's paginator AWS's default for `ListAccounts`, and pages moto's complete
  `ListTargetsForPolicy` answer (the token is the offset into it), so tests and
  benchmarks count the reads AWS would need.

* Sessions in member accounts. moto keeps each account's state apart by the access key
  a request is signed with, `AssumeRole` gives keys of the role's account (so calls made
  with a member account's assumed credentials land in that account's state), and
  `CreateAccount` makes `OrganizationAccountAccessRole` in the new account, as AWS does.
  What moto lacks: it lets `AssumeRole` assume a role that does not exist. The shim
  answers `AssumeRole` on a role missing from the IAM of an account of the organization
  with `AccessDenied`, as AWS does; in an account outside it, any role is assumed as moto
  does (tests act as an outsider that way).

* Organizations `DescribeEffectivePolicy` (tests/support/emulator_effective.py, whose
  docstring details it): each account's effective management policy of a type, merged
  from moto's stored policies and attachments (root, OUs, account) by AWS's inheritance
  operators; `EffectivePolicyNotFoundException` for a type not enabled on the root or an
  account no policy of the type reaches, as AWS answers.

* The management account's own services (tests/support/emulator_management.py, whose
  docstring details each): AWS Budgets' `UpdateBudget`, subscribers and tags, and
  budgets that auto-adjust; the Account API's rules for `AccountId` (trusted access,
  members only, the caller's own account without it).

* Fault injection (off unless a test turns it on). `POST /_plinth/faults` with a JSON
  object sets, for every later AWS request, the share of requests answered with the
  service's own throttling error (`throttle`), with HTTP 500 (`error`), with no answer
  at all (`hang`: held open for `hang_seconds`, then dropped), or carried out and then
  left unanswered the same way (`lose`: the write happens, its answer is lost, as when a
  connection breaks), plus a fixed `delay` in seconds before each request; `seed` makes
  the draw repeatable; `only` (a list of services as the SDK names them) limits faults
  to their requests. `GET /_plinth/faults` answers what was injected so far. The
  throttling error is each service's own, in its own protocol, so the SDK classifies it
  as AWS's would be: Organizations `TooManyRequestsException`, S3 `SlowDown` (503), the
  query services (STS, IAM, SNS) `Throttling`, CloudWatch `Throttling` in CBOR, the JSON
  services `ThrottlingException`.

* Quota enforcement (off unless a test or the benchmark turns it on). `POST
  /_plinth/quotas` with `{"operations": {"<Service>.<Operation>": {"rate": r, "burst":
  b}}, "shared": {"<Service>": {"bucket": name, "rate": r, "burst": b}}, "default": {...}}`
  (the harness sends plinth's own table, `src/aws/quotas.rs`) gives every operation a
  token bucket, as AWS does; a request that finds its bucket empty is answered with the
  service's own throttling error, as above. Services are named as the SDK names them
  (`Organizations`, `SSO Admin`, `CloudWatch`); the operation is read from `X-Amz-Target`,
  the CBOR path or the query's `Action`. A request is judged at the time its first line
  was read (as AWS's front end judges it on arrival), not when this one-process server
  gets round to it (in the benchmarks so far, never more than 20 ms later). Each
  bucket holds one token more than its burst:
  requests paced exactly at the quota reach the emulator a little unevenly, and AWS's own
  buckets are not that tight either. `GET /_plinth/quotas` answers how many requests were
  counted and throttled, by operation, and how many were `late` (judged more than 20 ms
  after they arrived: what judging on arrival saved from a spurious throttle).
"""

import argparse
import base64
import datetime
import gc
import io
import json
import random
import re
import sys
import threading
import time

import cbor2
import emulator_effective
import emulator_management
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


SERVICE_IN_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
QUERY_SERVICES = {"sts", "iam", "sns"}
JSON_THROTTLING = {"organizations": "TooManyRequestsException"}


# SigV4 signing names, as the SDK names the services.
SDK_SERVICE = {
    "organizations": "Organizations",
    "sso": "SSO Admin",
    "identitystore": "identitystore",
    "monitoring": "CloudWatch",
    "cloudtrail": "CloudTrail",
    "sns": "SNS",
    "iam": "IAM",
    "sts": "STS",
    "logs": "CloudWatch Logs",
    "dynamodb": "DynamoDB",
    "budgets": "Budgets",
    "account": "Account",
}


class Quotas:
    """Token buckets per operation, answering AWS's throttling error when one is empty."""

    def __init__(self):
        self.lock = threading.Lock()
        self.table = None
        self.buckets = {}
        self.counts = {}

    def control(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            table = json.loads(environ["wsgi.input"].read(length) or b"{}")
            with self.lock:
                before = self.counts
                self.table = table or None
                self.buckets = {}
                self.counts = {}
        else:
            with self.lock:
                before = self.counts
        body = json.dumps(before).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def operation(environ):
        """The SDK's names of the service and operation a request is for, if known."""
        match = SERVICE_IN_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = SDK_SERVICE.get(match.group(1)) if match else None
        if service is None:
            return None
        cbor = CBOR_PATH.match(environ.get("PATH_INFO", ""))
        if cbor:
            return service, cbor.group(1)
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            return service, target.rsplit(".", 1)[-1]
        if match.group(1) in QUERY_SERVICES:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            action = re.search(rb"(?:^|&)Action=(\w+)", body)
            if action:
                return service, action.group(1).decode()
        return None

    def _take(self, key, quota, now):
        rate, burst = float(quota["rate"]), float(quota["burst"]) + 1
        tokens, at = self.buckets.get(key, (burst, now))
        # Requests are judged in the order their threads get here, a few milliseconds
        # apart from their arrival order: one that arrived before the last judged refills
        # nothing.
        tokens = min(burst, tokens + max(0.0, now - at) * rate)
        at = max(at, now)
        if tokens < 1:
            self.buckets[key] = (tokens, at)
            return False
        self.buckets[key] = (tokens - 1, at)
        return True

    def throttles(self, environ):
        with self.lock:
            if self.table is None:
                return False
        found = self.operation(environ)
        if found is None:
            return False
        service, operation = found
        name = f"{service}.{operation}"
        with self.lock:
            judged = time.monotonic()
            now = environ.get(ARRIVED) or judged
            count = self.counts.setdefault(name, {"requests": 0, "throttled": 0, "late": 0})
            count["requests"] += 1
            if judged - now > LATE:
                count["late"] += 1
            shared = (self.table.get("shared") or {}).get(service)
            quota = (self.table.get("operations") or {}).get(name)
            if quota is None and shared is None:
                quota = self.table.get("default")
            ok = True
            if shared is not None:
                ok = self._take("shared:" + shared["bucket"], shared, now)
            if ok and quota is not None:
                ok = self._take(name, quota, now)
            if not ok:
                count["throttled"] += 1
            return not ok


class FaultInjector:
    """WSGI middleware: injected throttling, server errors, silence and lost answers, and
    quota enforcement."""

    def __init__(self, app):
        self.app = app
        self.quotas = Quotas()
        self.lock = threading.Lock()
        self.settings = {}
        self.rng = random.Random(0)
        self.injected = {"throttle": 0, "error": 0, "hang": 0, "lose": 0, "requests": 0}

    def _control(self, environ, start_response):
        if environ["REQUEST_METHOD"] == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            settings = json.loads(environ["wsgi.input"].read(length) or b"{}")
            with self.lock:
                before = self.injected
                self.settings = settings
                self.rng = random.Random(settings.get("seed", 0))
                self.injected = {k: 0 for k in self.injected}
        else:
            with self.lock:
                before = self.injected
        body = json.dumps(before).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _draw(self, environ):
        with self.lock:
            if not self.settings:
                return None, 0
            only = self.settings.get("only")
            if only is not None:
                match = SERVICE_IN_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
                if SDK_SERVICE.get(match.group(1) if match else "") not in only:
                    return None, 0
            self.injected["requests"] += 1
            roll = self.rng.random()
            for fault in ("throttle", "error", "hang", "lose"):
                share = float(self.settings.get(fault, 0))
                if roll < share:
                    self.injected[fault] += 1
                    return fault, float(self.settings.get("delay", 0))
                roll -= share
            return None, float(self.settings.get("delay", 0))

    def _hang(self, start_response):
        """Say nothing until the client has given up; what follows reaches nobody."""
        time.sleep(float(self.settings.get("hang_seconds", 30)))
        start_response("500 Internal Server Error", [("Content-Length", "0")])
        return [b""]

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/_plinth/faults":
            return self._control(environ, start_response)
        if environ.get("PATH_INFO") == "/_plinth/quotas":
            return self.quotas.control(environ, start_response)
        if environ.get("PATH_INFO") == "/_plinth/root":
            return emulator_management.root_control(environ, start_response)
        if self.quotas.throttles(environ):
            return self._throttle(environ, start_response)
        fault, delay = self._draw(environ)
        if delay:
            time.sleep(delay)
        if fault == "hang":
            return self._hang(start_response)
        if fault == "lose":
            chunks = self.app(environ, lambda status, headers, exc_info=None: (lambda data: None))
            b"".join(chunks)
            return self._hang(start_response)
        if fault == "error":
            body = b"injected internal error"
            start_response("500 Internal Server Error", [("Content-Length", str(len(body)))])
            return [body]
        if fault == "throttle":
            return self._throttle(environ, start_response)
        return self.app(environ, start_response)

    def _throttle(self, environ, start_response):
        match = SERVICE_IN_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        service = match.group(1) if match else ""
        message = "Rate exceeded"
        if CBOR_PATH.match(environ.get("PATH_INFO", "")):
            body = cbor2.dumps({"__type": "Throttling", "message": message})
            headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
            status = "400 Bad Request"
        elif service == "s3":
            body = f"<Error><Code>SlowDown</Code><Message>{message}</Message></Error>".encode()
            headers = [("Content-Type", "application/xml")]
            status = "503 Slow Down"
        elif service in QUERY_SERVICES:
            body = (
                "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                f"<Message>{message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>"
            ).encode()
            headers = [("Content-Type", "text/xml")]
            status = "400 Bad Request"
        else:
            code = JSON_THROTTLING.get(service, "ThrottlingException")
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", code)]
            status = "400 Bad Request"
        start_response(status, headers + [("Content-Length", str(len(body)))])
        return [body]


def install_s3_shims():
    """CreateBucket honours CreateBucketConfiguration's Tags, as AWS does."""
    import xmltodict
    from moto.s3.responses import S3Response

    original = S3Response._bucket_response_put

    def bucket_response_put(self, request, bucket_name, querystring):
        answer = original(self, request, bucket_name, querystring)
        if querystring or not self.body:
            return answer
        try:
            config = xmltodict.parse(self.body).get("CreateBucketConfiguration") or {}
        except Exception:  # not a CreateBucketConfiguration body
            return answer
        tags = (config.get("Tags") or {}).get("Tag") or []
        if isinstance(tags, dict):
            tags = [tags]
        if tags:
            self.backend.put_bucket_tagging(bucket_name, {t["Key"]: t.get("Value", "") for t in tags})
        return answer

    S3Response._bucket_response_put = bucket_response_put


def install_s3_new_bucket_defaults():
    """A new bucket blocks all public access and has SSE-S3 default encryption, as on AWS."""
    from moto.s3.models import PublicAccessBlock, S3Backend

    original = S3Backend.create_bucket

    def create_bucket(self, bucket_name, *args, **kwargs):
        bucket = original(self, bucket_name, *args, **kwargs)
        bucket.public_access_block = PublicAccessBlock(True, True, True, True)
        bucket.encryption = {
            "Rule": {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": "false",
            }
        }
        return bucket

    S3Backend.create_bucket = create_bucket


def install_s3_expected_owner_shim():
    """A bucket of another account than `x-amz-expected-bucket-owner` answers AccessDenied."""
    from moto.s3.exceptions import S3AccessDeniedError
    from moto.s3.models import s3_backends
    from moto.s3.responses import S3Response

    def refuse_other_owner(self, request, full_url):
        expected = request.headers.get("x-amz-expected-bucket-owner")
        if not expected:
            return
        holder = s3_backends.bucket_accounts.get(self.parse_bucket_name_from_url(request, full_url))
        if holder is not None and holder[1] != expected:
            raise S3AccessDeniedError()

    # Both are called inside moto's handling of S3ClientError, which answers in S3's form.
    for name in ("_bucket_response", "_key_response"):
        original = getattr(S3Response, name)

        def checked(self, request, full_url, _original=original):
            refuse_other_owner(self, request, full_url)
            return _original(self, request, full_url)

        setattr(S3Response, name, checked)


def install_s3_versioning_answer_shim():
    """GetBucketVersioning answers in S3's shape: see the module docstring."""
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_versioning

    def get_bucket_versioning(self):
        status, headers, body = original(self)
        if isinstance(body, bytes):
            body = body.decode()
        body = body.replace("<GetBucketVersioningResponse", "<VersioningConfiguration", 1)
        body = body.replace("</GetBucketVersioningResponse>", "</VersioningConfiguration>", 1)
        return status, headers, body

    S3Response.get_bucket_versioning = get_bucket_versioning


def install_cloudtrail_shims():
    """A new trail selects management events, read and write, as on AWS."""
    from moto.cloudtrail.models import Trail

    original = Trail.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.event_selectors = [
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [],
                "ExcludeManagementEventSources": [],
            }
        ]

    Trail.__init__ = init


def install_organizations_shims():
    """CreateAccount rejects an e-mail address already in the organization, as AWS does."""
    from moto.core.utils import unix_time, utcnow
    from moto.organizations import models as org_models
    from moto.organizations import utils as org_utils

    backend_class = org_models.OrganizationsBackend
    original_create = backend_class.create_account
    original_describe = backend_class.describe_create_account_status
    failed = {}

    def create_account(self, **kwargs):
        if self.org is not None and any(a.email == kwargs.get("Email") for a in self.accounts):
            now = unix_time(utcnow())
            status = {
                "Id": org_utils.make_random_create_account_status_id(),
                "AccountName": kwargs.get("AccountName"),
                "State": "FAILED",
                "FailureReason": "EMAIL_ALREADY_EXISTS",
                "RequestedTimestamp": now,
                "CompletedTimestamp": now,
            }
            failed[status["Id"]] = status
            return {"CreateAccountStatus": status}
        return original_create(self, **kwargs)

    def describe_create_account_status(self, **kwargs):
        status = failed.get(kwargs.get("CreateAccountRequestId"))
        if status is not None:
            return {"CreateAccountStatus": status}
        return original_describe(self, **kwargs)

    backend_class.create_account = create_account
    backend_class.describe_create_account_status = describe_create_account_status

    original_create_ou = backend_class.create_organizational_unit

    def create_organizational_unit(self, **kwargs):
        from moto.organizations.exceptions import DuplicateOrganizationalUnitException

        if any(ou.parent_id == kwargs.get("ParentId") and ou.name == kwargs.get("Name") for ou in self.ou):
            raise DuplicateOrganizationalUnitException
        return original_create_ou(self, **kwargs)

    backend_class.create_organizational_unit = create_organizational_unit

    # AWS's page sizes (see the module docstring).
    from moto.organizations.exceptions import InvalidInputException

    def page_size(size):
        if size is None:
            return 20
        if not 1 <= int(size) <= 20:
            raise InvalidInputException("MaxResults must be between 1 and 20")
        return int(size)

    org_utils.PAGINATION_MODEL["list_accounts"]["limit_default"] = 20
    original_list_accounts = backend_class.list_accounts
    original_targets = backend_class.list_targets_for_policy

    def list_accounts(self, **kwargs):
        page_size(kwargs.get("max_results"))
        return original_list_accounts(self, **kwargs)

    def list_targets_for_policy(self, **kwargs):
        everything = original_targets(self, **kwargs)["Targets"]
        size = page_size(kwargs.get("MaxResults"))
        start = int(kwargs.get("NextToken") or 0)
        answer = {"Targets": everything[start : start + size]}
        if start + size < len(everything):
            answer["NextToken"] = str(start + size)
        return answer

    backend_class.list_accounts = list_accounts
    backend_class.list_targets_for_policy = list_targets_for_policy


# AWS's per-type limits, as plinth's table knows them (src/types/policy_types.rs, each row
# with its source; tests/policy_limits.rs checks the two agree): (maximum characters,
# maximum per target). SCPs: 10,240 and 10 since 2026-05-15.
POLICY_LIMITS = {
    "SERVICE_CONTROL_POLICY": (10240, 10),
    "RESOURCE_CONTROL_POLICY": (5120, 5),
    "AISERVICES_OPT_OUT_POLICY": (2500, 5),
    "TAG_POLICY": (10000, 10),
    "DECLARATIVE_POLICY_EC2": (10000, 10),
    "S3_POLICY": (10000, 10),
    "BACKUP_POLICY": (10000, 10),
    "CHATBOT_POLICY": (10000, 10),
    "SECURITYHUB_POLICY": (10000, 10),
    "INSPECTOR_POLICY": (10000, 10),
    "GUARDDUTY_POLICY": (10000, 10),
    "BEDROCK_POLICY": (10000, 10),
    "UPGRADE_ROLLOUT_POLICY": (5120, 10),
    "NETWORK_SECURITY_DIRECTOR_POLICY": (10000, 10),
}
# Service principals AWS lets have trusted access that moto's list lacks.
TRUSTED_SERVICES = ["declarative-policies.ec2.amazonaws.com"]


def install_member_role_shims():
    """AssumeRole refused on a missing role: see the module docstring."""
    from moto.iam.models import iam_backends
    from moto.sts import models as sts_models
    from moto.sts.exceptions import STSClientError

    from moto.organizations.models import organizations_backends

    def in_an_organization(account):
        return any(
            backend.org is not None and any(a.id == account for a in backend.accounts)
            for backends in list(organizations_backends.values())
            for backend in list(backends.values())
        )

    original_assume = sts_models.STSBackend.assume_role

    def assume_role(self, region_name, role_session_name, role_arn, policy, duration, external_id):
        match = re.match(r"arn:aws:iam::(\d{12}):role/(?:.*/)?([^/]+)$", role_arn or "")
        if match:
            account, name = match.groups()
            missing = not any(r.name == name for r in iam_backends[account]["global"].get_roles())
            if missing and in_an_organization(account):
                raise STSClientError(
                    "AccessDenied",
                    f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                )
        return original_assume(self, region_name, role_session_name, role_arn, policy, duration, external_id)

    sts_models.STSBackend.assume_role = assume_role


def install_organizations_policy_shims():
    """Policy types and their rules: see the module docstring."""
    from moto.organizations import models as org_models
    from moto.organizations.exceptions import (
        ConstraintViolationException,
        PolicyTypeNotEnabledException,
    )

    # The types moto cannot build (it lists backup policies but has no ARN form for them).
    moto_builds = {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "AISERVICES_OPT_OUT_POLICY", "TAG_POLICY"}
    added = [t for t in POLICY_LIMITS if t not in moto_builds]
    for cls in (org_models.FakeRoot, org_models.FakePolicy):
        for policy_type in POLICY_LIMITS:
            if policy_type not in cls.SUPPORTED_POLICY_TYPES:
                cls.SUPPORTED_POLICY_TYPES.append(policy_type)
    trusted = org_models.FakeServiceAccess.TRUSTED_SERVICES
    for principal in TRUSTED_SERVICES:
        if principal not in trusted:
            trusted.append(principal)

    policy_class = org_models.FakePolicy
    original_init = policy_class.__init__

    def policy_init(self, organization, **kwargs):
        policy_type = kwargs.get("Type")
        if policy_type not in added:
            return original_init(self, organization, **kwargs)
        # moto builds every other type the same way; only the ARN differs: AWS's form
        # names the type in lower case (`policy/o-…/backup_policy/p-…`).
        original_init(self, organization, **{**kwargs, "Type": "TAG_POLICY"})
        self.type = policy_type
        self._arn_format = "arn:{0}:organizations::{1}:policy/{2}/" + policy_type.lower() + "/{3}"

    policy_class.__init__ = policy_init

    def check_size(policy_type, content):
        limit = POLICY_LIMITS.get(policy_type, (None, None))[0]
        if limit is not None and content is not None and len(content) > limit:
            raise ConstraintViolationException(
                f"POLICY_CONTENT_LIMIT_EXCEEDED: a {policy_type} document is at most {limit} characters"
            )

    backend_class = org_models.OrganizationsBackend
    original_create = backend_class.create_policy
    original_update = backend_class.update_policy
    original_attach = backend_class.attach_policy
    original_detach = backend_class.detach_policy

    def create_policy(self, **kwargs):
        check_size(kwargs.get("Type"), kwargs.get("Content"))
        return original_create(self, **kwargs)

    def update_policy(self, **kwargs):
        policy = self.get_policy_by_id(kwargs["PolicyId"])
        check_size(policy.type, kwargs.get("Content"))
        return original_update(self, **kwargs)

    def target_of(self, target_id):
        for item in list(self.ou) + list(self.accounts):
            if item.id == target_id:
                return item
        return None

    def attach_policy(self, **kwargs):
        policy = self.get_policy_by_id(kwargs["PolicyId"])
        # moto attaches AWS's default policies itself when it makes a root, OU or account.
        if not policy.aws_managed:
            root = next(ou for ou in self.ou if isinstance(ou, org_models.FakeRoot))
            if not any(t["Type"] == policy.type for t in root.policy_types):
                raise PolicyTypeNotEnabledException
            target = target_of(self, kwargs["TargetId"])
            if target is not None and policy not in target.attached_policies:
                count = sum(1 for p in target.attached_policies if p.type == policy.type)
                limit = POLICY_LIMITS.get(policy.type, (None, 10))[1]
                if count >= limit:
                    raise ConstraintViolationException(
                        f"MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: at most {limit} policies of type {policy.type} per target"
                    )
        return original_attach(self, **kwargs)

    def detach_policy(self, **kwargs):
        if kwargs.get("PolicyId") == "p-RCPFullAWSAccess":
            raise ConstraintViolationException("RCPFullAWSAccess cannot be detached")
        return original_detach(self, **kwargs)

    backend_class.create_policy = create_policy
    backend_class.update_policy = update_policy
    backend_class.attach_policy = attach_policy
    backend_class.detach_policy = detach_policy


def install_sso_admin_shims():
    """Add the sso-admin operations moto lacks; see the module docstring."""
    from moto.ssoadmin import models as sso_models
    from moto.ssoadmin import utils as sso_utils
    from moto.ssoadmin.exceptions import ResourceNotFoundException
    from moto.utilities.paginator import paginate
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

    # moto keeps assignments in one list, and scans all of it for each create (the shim's
    # duplicate check) and for each page of a principal's assignments: at 15,000
    # assignments those scans made the emulator, not the quota, the bottleneck. The shim
    # keeps an index by key and by principal next to moto's list, rebuilt from the list
    # whenever they disagree.
    def key_of(a):
        return (a.target_id, a.permission_set_arn, a.principal_type, a.principal_id)

    def index(backend):
        idx = getattr(backend, "plinth_assignment_index", None)
        if idx is None or len(idx[0]) != len(backend.account_assignments):
            idx = ({}, {})
            for a in backend.account_assignments:
                idx[0][key_of(a)] = a
                idx[1].setdefault((a.principal_type, a.principal_id), {})[key_of(a)] = a
            backend.plinth_assignment_index = idx
        return idx

    # Creating an assignment provisions the latest version to its account.
    original_create = backend_class.create_account_assignment

    def create_account_assignment(self, *args, **kwargs):
        # AWS answers a request for an assignment that exists without making a second one.
        key = tuple(kwargs.get(k) for k in ("target_id", "permission_set_arn", "principal_type", "principal_id"))
        by_key, by_principal = index(self)
        existing = by_key.get(key)
        if existing is not None:
            return existing.to_json(include_creation_date=True, include_request_id=True)
        result = original_create(self, *args, **kwargs)
        made = self.account_assignments[-1]
        by_key[key_of(made)] = made
        by_principal.setdefault((made.principal_type, made.principal_id), {})[key_of(made)] = made
        for ps in self.permission_sets:
            if ps.permission_set_arn == kwargs.get("permission_set_arn"):
                stale(ps).discard(kwargs.get("target_id"))
        return result

    original_delete = backend_class.delete_account_assignment

    def delete_account_assignment(self, *args, **kwargs):
        result = original_delete(self, *args, **kwargs)
        gone = self.deleted_account_assignments[-1]
        by_key, by_principal = index(self)
        by_key.pop(key_of(gone), None)
        by_principal.get((gone.principal_type, gone.principal_id), {}).pop(key_of(gone), None)
        return result

    backend_class.delete_account_assignment = delete_account_assignment

    @paginate(sso_utils.PAGINATION_MODEL)
    def list_account_assignments_for_principal(self, filter_, instance_arn, principal_id, principal_type):
        account = (filter_ or {}).get("AccountId")
        return [
            {
                "AccountId": a.target_id,
                "PermissionSetArn": a.permission_set_arn,
                "PrincipalId": a.principal_id,
                "PrincipalType": a.principal_type,
            }
            for a in index(self)[1].get((principal_type, principal_id), {}).values()
            if a.instance_arn == instance_arn and account in (None, a.target_id)
        ]

    backend_class.list_account_assignments_for_principal = list_account_assignments_for_principal

    backend_class.create_account_assignment = create_account_assignment

    # Permission set names are unique in an instance: AWS answers ConflictException.
    original_create_set = backend_class.create_permission_set

    def create_permission_set(self, *args, **kwargs):
        name = kwargs.get("name", args[0] if args else None)
        instance = kwargs.get("instance_arn")
        if any(ps.name == name and ps.instance_arn == instance for ps in self.permission_sets):
            from moto.ssoadmin.exceptions import ConflictException

            raise ConflictException(f"PermissionSet with name {name} already exists")
        return original_create_set(self, *args, **kwargs)

    backend_class.create_permission_set = create_permission_set

    def permission_set(response):
        return response.ssoadmin_backend._find_permission_set(
            response._get_param("InstanceArn"), response._get_param("PermissionSetArn")
        )

    def list_tags_for_resource(self):
        ps = self.ssoadmin_backend._find_permission_set(
            self._get_param("InstanceArn"), self._get_param("ResourceArn")
        )
        return json.dumps({"Tags": list(ps.tags or [])})

    def tag_resource(self):
        ps = self.ssoadmin_backend._find_permission_set(
            self._get_param("InstanceArn"), self._get_param("ResourceArn")
        )
        new = {t["Key"]: t["Value"] for t in self._get_param("Tags") or []}
        kept = [t for t in (ps.tags or []) if t["Key"] not in new]
        ps.tags = kept + [{"Key": k, "Value": v} for k, v in new.items()]
        return "{}"

    def untag_resource(self):
        ps = self.ssoadmin_backend._find_permission_set(
            self._get_param("InstanceArn"), self._get_param("ResourceArn")
        )
        gone = set(self._get_param("TagKeys") or [])
        ps.tags = [t for t in (ps.tags or []) if t["Key"] not in gone]
        return "{}"

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
        tag_resource,
        untag_resource,
        put_permissions_boundary_to_permission_set,
        get_permissions_boundary_for_permission_set,
        delete_permissions_boundary_from_permission_set,
        provision_permission_set,
        describe_permission_set_provisioning_status,
        list_accounts_for_provisioned_permission_set,
    ):
        setattr(SSOAdminResponse, fn.__name__, fn)


# Middle-generation collections between two full ones: never, in a test's lifetime.
NO_FULL_COLLECTION = 1_000_000_000
ARRIVED = "plinth.arrived"
# A request this long between its arrival and its turn is counted `late` by operation.
LATE = 0.02


class ArrivalStampingHandler(MotoRequestHandler):
    """Notes when each request's first line was read, for the quota buckets: AWS judges a
    request's rate when it arrives, and this server (one Python process, one thread at a
    time) may take longer to reach it when it is busy, which would turn evenly paced
    requests into bursts."""

    def parse_request(self):
        self.plinth_arrived = time.monotonic()
        return super().parse_request()

    def make_environ(self):
        environ = super().make_environ()
        environ[ARRIVED] = getattr(self, "plinth_arrived", None)
        return environ


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    install_sso_admin_shims()
    install_organizations_shims()
    install_member_role_shims()
    install_organizations_policy_shims()
    emulator_effective.install_effective_policy_shim()
    install_s3_shims()
    install_s3_expected_owner_shim()
    install_s3_new_bucket_defaults()
    install_s3_versioning_answer_shim()
    install_cloudtrail_shims()
    emulator_management.install_budgets_shims()
    emulator_management.install_account_shims()
    emulator_management.install_root_access_shims()
    app = FaultInjector(CborTranslator(DomainDispatcherApplication(create_backend_app)))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=ArrivalStampingHandler)
    # Python's full collections stop every thread of this one-process server while they
    # scan its whole heap: with a large organization stored (5,000 accounts and alarms,
    # 15,000 assignments; tens of milliseconds and more), long enough that the requests
    # queued meanwhile reach the quota buckets at once, as a burst the client never sent.
    # AWS has no such pause. What was loaded at start (moto, botocore's models) is frozen
    # out of collection, and full collections are left off; young ones still run, and the
    # emulator lives for one test.
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, NO_FULL_COLLECTION)
    print(f"PLINTH_EMULATOR_PORT={server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

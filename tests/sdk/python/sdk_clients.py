"""One adapter per official Python SDK configuration, so the same test body drives each of them.

Every adapter calls the SDK exactly as an application would; the adapter only normalises what comes
back (a response body or a raised exception) so that the tests can compare it with the journal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass
class Progress:
    progress: str
    target_info: str | None
    request_id: str


@dataclass
class SdkError:
    status: int | None
    code: str
    message: str
    request_id: str | None


class TeaClient:
    """alibabacloud-sas20181203 (Tea / darabonba), V3 signing by default or HMAC-SHA1 with 'v2'."""

    def __init__(self, port: int, key_id: str, secret: str, token: str | None, signature_algorithm: str | None):
        from alibabacloud_sas20181203.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        config = Config(
            access_key_id=key_id,
            access_key_secret=secret,
            security_token=token,
            protocol="http",
            endpoint=f"127.0.0.1:{port}",
        )
        if signature_algorithm:
            config.signature_algorithm = signature_algorithm
        self._client = Client(config)

    def start_scan(self, target_info: str) -> int:
        from alibabacloud_sas20181203 import models

        resp = self._client.start_virus_scan_task(models.StartVirusScanTaskRequest(target_info=target_info))
        assert resp.status_code == 200
        return resp.body.scan_task_id

    def progress(self, task_id: int) -> Progress:
        from alibabacloud_sas20181203 import models

        resp = self._client.describe_scan_task_progress(models.DescribeScanTaskProgressRequest(task_id=task_id))
        assert resp.status_code == 200
        body = resp.body
        return Progress(body.scan_task_progress, body.target_info, body.request_id)

    @staticmethod
    def exception_for(status: int) -> type:
        # protocol.md §4.4: 4xx -> ClientException, 5xx -> ServerException.
        from alibabacloud_tea_openapi.exceptions import ClientException, ServerException

        return ClientException if status < 500 else ServerException

    @staticmethod
    def read_error(exc) -> SdkError:
        return SdkError(exc.status_code, exc.code, exc.message, exc.request_id)

    # What a wrong secret turns into.
    signature_error_code = "SignatureDoesNotMatch"
    signature_error_message = "Specified signature is not matched with our calculation. server string to sign is:"

    def call(self, action: str, params: dict | None = None, *, read_timeout_ms: int | None = None,
             runtime=None) -> dict:
        """Any Sas action, as the generated client sends it (call_api with its Params); the answer's
        JSON as it came. `read_timeout_ms` goes into RuntimeOptions(read_timeout=...), as an
        application would set a per-call timeout; `runtime` replaces the RuntimeOptions altogether."""
        from alibabacloud_tea_openapi import utils_models
        from alibabacloud_tea_openapi.utils import Utils
        from darabonba.runtime import RuntimeOptions

        api = utils_models.Params(action=action, version="2018-12-03", protocol="HTTPS", pathname="/",
                                  method="POST", auth_type="AK", style="RPC", req_body_type="formData",
                                  body_type="json")
        request = utils_models.OpenApiRequest(query=Utils.query(dict(params or {})))
        if runtime is None:
            runtime = RuntimeOptions(read_timeout=read_timeout_ms)
        return self._client.call_api(api, request, runtime)["body"]

    @property
    def client(self):
        """The generated alibabacloud_sas20181203 Client itself, for model-typed calls."""
        return self._client


class LegacyClient:
    """aliyun-python-sdk-core + aliyun-python-sdk-sas (HMAC-SHA1, POST with the params in the query)."""

    def __init__(self, port: int, key_id: str, secret: str, token: str | None):
        from aliyunsdkcore.auth.credentials import StsTokenCredential
        from aliyunsdkcore.client import AcsClient

        if token is None:
            self._client = AcsClient(key_id, secret, "cn-hangzhou", port=port)
        else:
            credential = StsTokenCredential(key_id, secret, token)
            self._client = AcsClient(region_id="cn-hangzhou", credential=credential, port=port)

    def _call(self, request) -> dict:
        request.set_endpoint("127.0.0.1")
        raw = self._client.do_action_with_exception(request)
        return json.loads(raw)

    def start_scan(self, target_info: str) -> int:
        from aliyunsdksas.request.v20181203.StartVirusScanTaskRequest import StartVirusScanTaskRequest

        req = StartVirusScanTaskRequest()
        req.set_TargetInfo(target_info)
        return self._call(req)["ScanTaskId"]

    def progress(self, task_id: int) -> Progress:
        from aliyunsdksas.request.v20181203.DescribeScanTaskProgressRequest import DescribeScanTaskProgressRequest

        req = DescribeScanTaskProgressRequest()
        req.set_TaskId(task_id)
        body = self._call(req)
        return Progress(body.get("ScanTaskProgress"), body.get("TargetInfo"), body.get("RequestId"))

    @staticmethod
    def exception_for(status: int) -> type:
        from aliyunsdkcore.acs_exception.exceptions import ServerException

        return ServerException

    @staticmethod
    def read_error(exc) -> SdkError:
        return SdkError(exc.get_http_status(), exc.get_error_code(), exc.get_error_msg(), exc.get_request_id())

    # The SDK rewrites a 400 SignatureDoesNotMatch whose "server string to sign" equals its own.
    signature_error_code = "InvalidAccessKeySecret"
    signature_error_message = "The AccessKeySecret is incorrect."

    def call(self, action: str, params: dict | None = None, *, read_timeout_ms: int | None = None) -> dict:
        """Any Sas action through a CommonRequest, POST with the params in the query as the generated
        requests send them; the answer's JSON. `read_timeout_ms` becomes the request's read timeout."""
        from aliyunsdkcore.request import CommonRequest

        req = CommonRequest(domain="127.0.0.1", version="2018-12-03", action_name=action)
        req.set_method("POST")
        for name, value in (params or {}).items():
            req.add_query_param(name, value)
        if read_timeout_ms is not None:
            req.set_read_timeout(read_timeout_ms / 1000)
        return self._call(req)


# kind -> factory(port, key_id, secret, token=None)
CLIENTS = {
    "tea-v3": lambda port, key_id, secret, token=None: TeaClient(port, key_id, secret, token, None),
    "tea-v2": lambda port, key_id, secret, token=None: TeaClient(port, key_id, secret, token, "v2"),
    "legacy": lambda port, key_id, secret, token=None: LegacyClient(port, key_id, secret, token),
}

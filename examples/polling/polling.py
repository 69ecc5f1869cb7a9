"""The code under test: wait for a Security Center virus scan to end, politely.

`wait_for_scan(client, task_id)` polls DescribeScanTaskProgress about once a second until the scan
reports Success or Failed, and returns that. When flow control throttles a poll it waits as long as
the answer asks (the Tea SDK's `ThrottlingException.retry_after`, in milliseconds, from the
`x-acs-retry-after` header), and never less than the interval; a throttled answer without that header
waits two intervals. It gives up with `ScanTimeout` rather than sleep past its deadline.

`sleep` and `clock` are `time.sleep` and `time.monotonic` in production; a test passes its own.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

from alibabacloud_sas20181203 import models
from alibabacloud_tea_openapi.exceptions import ClientException, ThrottlingException

FINAL = ("Success", "Failed")


class ScanTimeout(Exception):
    """The scan did not end before the deadline."""

    def __init__(self, task_id: int, last_progress: Optional[str], timeout: float) -> None:
        super().__init__(f"scan task {task_id} still {last_progress or 'unknown'} after {timeout:g}s")
        self.task_id = task_id
        self.last_progress = last_progress


def wait_for_scan(client, task_id: int, *, interval: float = 1.0, timeout: float = 300.0,
                  sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], float] = time.monotonic) -> str:
    """Polls until the scan ends; returns "Success" or "Failed"."""
    deadline = clock() + timeout
    request = models.DescribeScanTaskProgressRequest(task_id=task_id)
    progress: Optional[str] = None
    while True:
        try:
            progress = client.describe_scan_task_progress(request).body.scan_task_progress
        except ThrottlingException as throttled:  # flow control said how long to wait
            pause = max(interval, throttled.retry_after / 1000)
        except ClientException as error:
            if not str(error.code).startswith("Throttling"):
                raise
            pause = 2 * interval  # throttled, with no hint how long: back off
        else:
            if progress in FINAL:
                return progress
            pause = interval
        if clock() + pause > deadline:
            raise ScanTimeout(task_id, progress, timeout)
        sleep(pause)

"""Running import jobs off the request: Celery when CELERY_BROKER_URL is set, else a background thread.

`manage.py import_petitions` runs the same functions synchronously (with a tqdm bar).
Set `XINFANG_TRANSFER_SYNC = True` (tests) to run them inside the request.
"""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, transaction

log = logging.getLogger(__name__)


@shared_task(name="xinfang.transfer.tasks.run_import_phase")
def run_import_phase(job_id: int, phase: str) -> str:
    from xinfang.transfer import services

    if phase == "validate":
        job = services.import_job_validate(job_id=job_id)
    else:
        job = services.import_job_run(job_id=job_id)
    return job.status


def _thread_target(job_id: int, phase: str) -> None:
    close_old_connections()
    try:
        run_import_phase(job_id, phase)
    except Exception:  # noqa: BLE001 - logged; the job page shows the job's own status
        log.exception("import job %s (%s) failed", job_id, phase)
    finally:
        close_old_connections()


def start(job_id: int, phase: str) -> None:
    """Run the phase ("validate" or "import") after the current transaction commits (at once when XINFANG_TRANSFER_SYNC)."""
    if getattr(settings, "XINFANG_TRANSFER_SYNC", False):
        run_import_phase(job_id, phase)
        return
    if getattr(settings, "CELERY_BROKER_URL", ""):
        transaction.on_commit(lambda: run_import_phase.delay(job_id, phase))
        return
    transaction.on_commit(lambda: threading.Thread(target=_thread_target, args=(job_id, phase), daemon=True).start())

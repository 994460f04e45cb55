"""An export measured in a fresh process: wall time and the process's peak resident memory (VmHWM), which
tracemalloc's Python-allocation count leaves out (xlsxwriter's and the database driver's buffers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import io, json, os, sys, time
import django
django.setup()
from excel.export import export_assessment
from excel.report_data import plans_for, resolve_period

def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0

code, period = sys.argv[1], sys.argv[2]
before = peak_kb()
started = time.perf_counter()
buffer = io.BytesIO()
export_assessment(plans_for(code, resolve_period(period).end), period, buffer)
elapsed = time.perf_counter() - started
print(json.dumps({"ms": round(elapsed * 1000, 1), "peak_mb": round(peak_kb() / 1024, 1),
                  "baseline_mb": round(before / 1024, 1), "bytes": len(buffer.getvalue())}))
"""


def export_in_child(code: str, period: str) -> dict[str, float]:
    """{"ms", "peak_mb" (the child's peak resident memory), "baseline_mb" (after Django started), "bytes"}."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "talentplan.settings")}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, code, period], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])

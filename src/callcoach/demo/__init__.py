"""The demo team generator: a realistic, deterministic sales org built from domain objects.

`generate_org(DemoConfig(seed=7))` decides the org (teams, reps and their true skills, deals,
activity, quotas, ratings, coaching); `org.calls()` writes the transcripts. No database here:
services/demo/setup.py imports the result.
"""

from callcoach.demo.model import (
    SUPPORTED_CRITERIA,
    CallPlan,
    DealPlan,
    DemoConfig,
    DemoConfigError,
    RepProfile,
)
from callcoach.demo.org import DemoOrg, generate_org
from callcoach.demo.transcripts import TRUTH_KEY

__all__ = [
    "SUPPORTED_CRITERIA",
    "TRUTH_KEY",
    "CallPlan",
    "DealPlan",
    "DemoConfig",
    "DemoConfigError",
    "DemoOrg",
    "RepProfile",
    "generate_org",
]

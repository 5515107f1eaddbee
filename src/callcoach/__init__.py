"""callcoach: evidence-based sales coaching.

Every call is scored on every criterion of a manager's rubric, and every score carries its
evidence: the verbatim quote, who said it, and when.
"""

from __future__ import annotations

__version__ = "0.1.0"

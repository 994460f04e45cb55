"""Writes: enter, submit, approve, return figures and task progress; open, close, lock and reopen periods; attach
evidence. Every function is keyword-only, checks permission and period state, validates, records history (who,
when, old → new, reason) and says what it changed (`evaluation.services` for verdicts, `talentplan.pagecache` for
cached pages). The web form, the Excel import and the API call the same functions.
"""

from indicators.services.errors import BusyError, ServiceError, StaleEditError, busy_message, guarded_write
from indicators.services.evidence import EVIDENCE_TYPES, attach_evidence
from indicators.services.periods import open_period, set_period_state
from indicators.services.progress import save_progress
from indicators.services.review import (
    APPROVE,
    RETURN,
    Refusal,
    ReviewOutcome,
    approve_item,
    item_key,
    return_item,
    review_items,
    submit_item,
)
from indicators.services.values import (
    SaveResult,
    ValueEntry,
    earlier_amounts,
    ensure_can_edit_period,
    previous_values,
    rules_for,
    save_value,
    save_values,
)

__all__ = [
    "APPROVE",
    "RETURN",
    "Refusal",
    "ReviewOutcome",
    "item_key",
    "review_items",
    "EVIDENCE_TYPES",
    "BusyError",
    "SaveResult",
    "ServiceError",
    "StaleEditError",
    "ValueEntry",
    "approve_item",
    "attach_evidence",
    "busy_message",
    "earlier_amounts",
    "ensure_can_edit_period",
    "guarded_write",
    "open_period",
    "previous_values",
    "return_item",
    "rules_for",
    "save_progress",
    "save_value",
    "save_values",
    "set_period_state",
    "submit_item",
]

"""Assessment (考核): schemes, items, self-assessment and review, bulletins (通报) and supervision notices (督办).

Writes go through `assessment.services` (permissions, states, history with a change reason); never `QuerySet.update()`
these models, which would skip the audit trail. The arithmetic lives in `assessment.scoring`, reads in
`assessment.selectors`.
"""

from assessment.models.notices import Bulletin, SupervisionNotice
from assessment.models.results import BonusClaim, ItemScore, UnitAssessment, claim_upload_to
from assessment.models.schemes import AssessmentItem, AssessmentScheme, DeductionSource, SchemeUnit

__all__ = [
    "AssessmentItem",
    "AssessmentScheme",
    "BonusClaim",
    "Bulletin",
    "DeductionSource",
    "ItemScore",
    "SchemeUnit",
    "SupervisionNotice",
    "UnitAssessment",
    "claim_upload_to",
]

"""Writes: `scheme_setup` (schemes and items), `self_assessment` (a unit's self-assessment and bonus claims),
`review` (item scores, claims, returning and final scores), `publishing` (bulletins), `audit` (`save_audited` and the
shared checks).

Every function is keyword-only, checks permission and state first, validates, and saves through `save_audited()`,
which gives django-simple-history the user and the change reason, so the audit trail says who changed what, when and
why. Refusals raise `indicators.services.ServiceError`, whose messages are Chinese and say what to do. Supervision
notices (督办) are in `assessment.escalation`.
"""

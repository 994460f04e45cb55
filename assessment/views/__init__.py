"""Assessment pages, by what they show: schemes and a unit's assessment (`schemes`), bulletins (`bulletins`),
supervision notices (`notices`). Thin: access check first (assessment.access), then a selector or a service, then
render. Writes are POST-only and redirect back with a message; a refused write shows the service's Chinese message
(`common`).
"""

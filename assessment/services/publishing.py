"""Bulletins (通报): the draft, its edits, and publishing, which freezes the results into a snapshot."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import AssessmentScheme, Bulletin
from assessment.selectors import scheme_results
from assessment.services.audit import require_manager, save_audited
from indicators.services import ServiceError


def ensure_bulletin(*, user: User, scheme: AssessmentScheme) -> Bulletin:
    require_manager(user)
    bulletin = Bulletin.objects.filter(scheme=scheme).first()
    if bulletin is not None:
        return bulletin
    bulletin = Bulletin(
        scheme=scheme,
        title=_("关于%(p)s%(t)s考核结果的通报") % {"p": scheme.period.label, "t": scheme.plan.title},
        is_demo=scheme.is_demo,
    )
    save_audited(bulletin, user, _("新建通报草稿"))
    return bulletin


def update_bulletin(
    *, user: User, bulletin: Bulletin, title: str, number: str = "", intro: str = "", good_examples: str = ""
) -> Bulletin:
    require_manager(user)
    if bulletin.is_published:
        raise ServiceError(_("通报已发布，内容已冻结，不能再修改。"))
    if not title.strip():
        raise ServiceError({"title": _("请填写通报标题。")})
    bulletin.title, bulletin.number, bulletin.intro, bulletin.good_examples = (
        title.strip(),
        number.strip(),
        intro.strip(),
        good_examples.strip(),
    )
    save_audited(bulletin, user, _("修改通报草稿"))
    return bulletin


@transaction.atomic
def publish_bulletin(*, user: User, bulletin: Bulletin) -> Bulletin:
    """Publish and freeze: the bulletin's content is stored as JSON; later data changes do not alter it."""
    from assessment.bulletins import bulletin_data  # the bulletin layout module imports the selectors

    require_manager(user)
    bulletin = Bulletin.objects.select_for_update().select_related("scheme__plan", "scheme__period").get(pk=bulletin.pk)
    if bulletin.is_published:
        raise ServiceError(
            _("通报已于 %(t)s 发布。") % {"t": timezone.localtime(bulletin.published_at).strftime("%Y-%m-%d %H:%M")}
        )
    now = timezone.now()
    bulletin.status, bulletin.published_at, bulletin.published_by = Bulletin.Status.PUBLISHED, now, user
    bulletin.snapshot = bulletin_data(scheme_results(bulletin.scheme), bulletin)
    save_audited(bulletin, user, _("发布通报"))
    return bulletin

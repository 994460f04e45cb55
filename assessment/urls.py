from django.urls import path

from assessment.views import bulletins, notices, schemes

app_name = "assessment"

urlpatterns = [
    path("", schemes.index, name="index"),
    path("scheme/<int:pk>/", schemes.scheme_detail, name="scheme"),
    path("scheme/<int:pk>/status/", schemes.scheme_status, name="scheme_status"),
    path("scheme/<int:pk>/escalate/", schemes.scheme_escalate, name="scheme_escalate"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/", schemes.unit_detail, name="unit"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/self/", schemes.self_assess, name="self_assess"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/claim/", schemes.claim_add, name="claim_add"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/review/", schemes.item_review, name="item_review"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/<slug:action>/", schemes.unit_action, name="unit_action"),
    path("claim/<int:claim_pk>/withdraw/", schemes.claim_withdraw, name="claim_withdraw"),
    path("claim/<int:claim_pk>/review/", schemes.claim_review, name="claim_review"),
    path("claim/<int:claim_pk>/evidence/", schemes.claim_evidence, name="claim_evidence"),
    path("scheme/<int:pk>/bulletin/", bulletins.bulletin, name="bulletin"),
    path("scheme/<int:pk>/bulletin/create/", bulletins.bulletin_create, name="bulletin_create"),
    path("scheme/<int:pk>/bulletin/edit/", bulletins.bulletin_edit, name="bulletin_edit"),
    path("scheme/<int:pk>/bulletin/publish/", bulletins.bulletin_publish, name="bulletin_publish"),
    path("scheme/<int:pk>/bulletin/xlsx/", bulletins.bulletin_xlsx, name="bulletin_xlsx"),
    path("notices/", notices.notices, name="notices"),
    path("notice/<int:pk>/", notices.notice_detail, name="notice"),
    path("notice/<int:pk>/respond/", notices.notice_respond, name="notice_respond"),
    path("notice/<int:pk>/close/", notices.notice_close, name="notice_close"),
]

from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("scheme/<int:pk>/", views.scheme_detail, name="scheme"),
    path("scheme/<int:pk>/status/", views.scheme_status, name="scheme_status"),
    path("scheme/<int:pk>/escalate/", views.scheme_escalate, name="scheme_escalate"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/", views.unit_detail, name="unit"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/self/", views.self_assess, name="self_assess"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/claim/", views.claim_add, name="claim_add"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/review/", views.item_review, name="item_review"),
    path("scheme/<int:pk>/unit/<int:unit_pk>/<slug:action>/", views.unit_action, name="unit_action"),
    path("claim/<int:claim_pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claim/<int:claim_pk>/review/", views.claim_review, name="claim_review"),
    path("claim/<int:claim_pk>/evidence/", views.claim_evidence, name="claim_evidence"),
    path("scheme/<int:pk>/bulletin/", views.bulletin, name="bulletin"),
    path("scheme/<int:pk>/bulletin/create/", views.bulletin_create, name="bulletin_create"),
    path("scheme/<int:pk>/bulletin/edit/", views.bulletin_edit, name="bulletin_edit"),
    path("scheme/<int:pk>/bulletin/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("scheme/<int:pk>/bulletin/xlsx/", views.bulletin_xlsx, name="bulletin_xlsx"),
    path("notices/", views.notices, name="notices"),
    path("notice/<int:pk>/", views.notice_detail, name="notice"),
    path("notice/<int:pk>/respond/", views.notice_respond, name="notice_respond"),
    path("notice/<int:pk>/close/", views.notice_close, name="notice_close"),
]

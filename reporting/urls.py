from django.urls import path

from reporting.views import entry, entry_save, queue, submit, urge
from reporting.views import review as views

app_name = "reporting"

urlpatterns = [
    path("", entry.my_reporting, name="my"),
    path("value/save/", entry_save.save_value, name="save_value"),
    path("progress/save/", entry_save.save_progress, name="save_progress"),
    path("submit-all/", submit.submit_all, name="submit_all"),
    path("value/<int:pk>/", views.value_detail, name="value"),
    path("progress/<int:pk>/", views.progress_detail, name="progress"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("review/", queue.review_queue, name="review"),
    path("review/decide/", queue.decide, name="review_decide"),
    path("review/value/<int:pk>/", queue.review_item, {"kind": "value"}, name="review_value"),
    path("review/progress/<int:pk>/", queue.review_item, {"kind": "progress"}, name="review_progress"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/urge/", urge.urge, name="overdue_urge"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:pk>/state/", views.period_state, name="period_state"),
]

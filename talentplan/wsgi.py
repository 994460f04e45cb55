"""WSGI entry (gunicorn talentplan.wsgi). Refuses to start a production server on the published demo SECRET_KEY."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentplan.settings")

application = get_wsgi_application()

from ops.startup import refuse_insecure_defaults, settle_collector  # noqa: E402  (needs the settings loaded above)

refuse_insecure_defaults()
settle_collector()

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings.production")
application = get_wsgi_application()

from xinfang.core.checks import refuse_to_start  # noqa: E402

refuse_to_start()  # production without its own keys does not serve (gunicorn's workers fail to boot)

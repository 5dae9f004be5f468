import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings.production")
application = get_asgi_application()

from xinfang.core.checks import refuse_to_start  # noqa: E402

refuse_to_start()  # production without its own keys does not serve

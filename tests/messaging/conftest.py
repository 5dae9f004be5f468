import pytest

from tests.messaging.fakegateway import FakeGateway
from tests.petitions.conftest import category, register, users  # noqa: F401 - the petition fixtures

SECRET = "test-gateway-secret"


@pytest.fixture
def gateway(settings):
    fake = FakeGateway(SECRET).start()
    settings.XINFANG_PETITIONER_SMS_GATEWAY = "xinfang.messaging.gateway.HttpGateway"
    settings.XINFANG_SMS_GATEWAY_URL = fake.url
    settings.XINFANG_SMS_GATEWAY_ACCOUNT = "xf-test"
    settings.XINFANG_SMS_GATEWAY_SECRET = SECRET
    settings.XINFANG_SMS_GATEWAY_TIMEOUT = 1
    settings.XINFANG_PORTAL_URL = "https://xf.example.cn/portal/"
    settings.CELERY_BROKER_URL = ""
    yield fake
    fake.stop()


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run a block and then what it queued after commit (the messages), as a real commit would."""

    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run

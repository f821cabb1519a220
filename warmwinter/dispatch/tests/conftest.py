from warmwinter.leads.tests.conftest import *  # noqa: F403 - the same fixtures
from warmwinter.leads.tests.conftest import _inline_tasks_and_media  # noqa: F401 - autouse

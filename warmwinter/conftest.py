"""Fixed personas reused by every test, and the reference data they act within."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connections
from django.test import Client

from warmwinter.accounts.models import ApiToken, User
from warmwinter.accounts.roles import Agency, Role
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.places.reference import load_reference_data

PASSWORD = "correct-horse-battery"
HUANGPU, PUDONG = "310101", "310115"


def _pinned_now() -> datetime | None:
    """WARMWINTER_TEST_NOW (ISO 8601, e.g. 2027-01-21T07:30+08:00) runs the suite at that moment:
    CI runs it once more at a morning hour, so that a test that depends on the hour it runs at
    fails whatever the hour CI starts. Tests that care about the time pin it themselves."""
    raw = os.environ.get("WARMWINTER_TEST_NOW", "").strip()
    if not raw:
        return None
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise ValueError(f"WARMWINTER_TEST_NOW={raw!r} needs a zone, e.g. +08:00")
    return moment


_travel: Any = None


def pytest_configure(config: Any) -> None:
    """Pin the clock before collection, so that times computed while collecting (parameters)
    agree with the times the tests then run at."""
    global _travel
    moment = _pinned_now()
    if moment is not None:
        _travel = time_machine.travel(moment, tick=True)
        _travel.start()


def pytest_unconfigure(config: Any) -> None:
    if _travel is not None:
        _travel.stop()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request in English leaves its thread
    activated in English, and Chinese strings a later test compares would come out English."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (rate limits, cached weather effects)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def set_rule(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Any], None]:
    """Set a rule of the rulebook for one test: `set_rule("stations.visit_every", 14)`. The value
    is checked against the rule's unit, in every version, and restored after the test."""
    from warmwinter.core import rulefiles

    def set_(name: str, value: Any) -> None:
        monkeypatch.setattr(rulefiles, "_loaded", rulefiles.book().with_value(name, value))

    return set_


@pytest.fixture
def add_rule_version(monkeypatch: pytest.MonkeyPatch) -> Callable[[date, dict[str, Any]], None]:
    """Add a rulebook version for one test, as next winter's notice would:
    `add_rule_version(date(2030, 12, 1), {"stations.stay_limit": 12})` copies the newest version
    with these values, applying from that day."""
    from warmwinter.core import rulefiles

    def add(applies_from: date, values: dict[str, Any]) -> None:
        later = rulefiles.book().with_version(applies_from, values)
        monkeypatch.setattr(rulefiles, "_loaded", later)

    return add


@pytest.fixture
def reference(db: None) -> None:
    """Reference data survives rollbacks; a transactional (live-server) test flushes it."""
    if not OrgUnit.objects.filter(level=OrgLevel.DISTRICT).exists():
        load_reference_data()


@pytest.fixture
def unit(reference: None) -> Callable[[str], OrgUnit]:
    return lambda code: OrgUnit.objects.get(code=code)


@pytest.fixture
def make_user(unit: Callable[[str], OrgUnit]) -> Callable[..., User]:
    def make(username: str, role: str, unit_code: str, agency: str = "") -> User:
        user = User(
            username=username,
            role=role,
            org_unit=unit(unit_code),
            agency=agency,
            display_name=username,
        )
        user.set_password(PASSWORD)
        user.save()
        return user

    return make


@pytest.fixture
def city_admin(make_user: Callable[..., User]) -> User:
    return make_user("city_admin", Role.CITY_ADMIN, "310000")


@pytest.fixture
def huangpu_admin(make_user: Callable[..., User]) -> User:
    return make_user("huangpu_admin", Role.DISTRICT_ADMIN, HUANGPU)


@pytest.fixture
def huangpu_dispatcher(make_user: Callable[..., User]) -> User:
    return make_user("huangpu_dispatcher", Role.DISPATCHER, HUANGPU)


@pytest.fixture
def pudong_patrol(make_user: Callable[..., User]) -> User:
    return make_user("pudong_patrol", Role.PATROL_MEMBER, PUDONG, Agency.POLICE)


@pytest.fixture
def station_worker(make_user: Callable[..., User]) -> User:
    return make_user("station1_worker", Role.STATION_WORKER, "S310000-1")


@pytest.fixture
def reporter(make_user: Callable[..., User]) -> User:
    return make_user("reporter", Role.REPORTER, "310101002")


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user("auditor", Role.AUDITOR, "310000")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def token_for() -> Callable[[User], str]:
    return lambda user: ApiToken.issue(user=user, name="test")[1]


@pytest.fixture
def pudong_key_place(unit: Callable[[str], OrgUnit]) -> Place:
    return Place.objects.create(
        kind=PlaceKind.KEY_PLACE,
        key_place_type="underpass",
        name="世纪大道地下通道",
        org_unit=unit("310115009"),
        lat=31.2286,
        lng=121.5270,
        risk_notes="夜间有人露宿",
    )


@pytest.fixture
def huangpu_key_place(unit: Callable[[str], OrgUnit]) -> Place:
    return Place.objects.create(
        kind=PlaceKind.KEY_PLACE,
        key_place_type="underpass",
        name="人民广场地下通道",
        org_unit=unit("310101002"),
        lat=31.2320,
        lng=121.4750,
        risk_notes="出口 3 处积水",
    )


def race(*actions: Callable[[], Any]) -> list[str]:
    """Run `actions` at the same moment, each in a real thread with its own database connection
    (a transactional test). What each came to, in the order given: "ok", or the first message
    of the ValidationError that refused it."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    barrier = threading.Barrier(len(actions))
    results = [""] * len(actions)

    def run(i: int) -> None:
        try:
            barrier.wait()
            actions[i]()
            results[i] = "ok"
        except ValidationError as exc:
            results[i] = exc.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def refused_on_page(response: Any, message: str) -> None:
    """A page refused what was posted: shown again, not redirected to what it saved, with
    `message` on it."""
    assert response.status_code in (200, 400, 409, 422), response.status_code
    assert message in response.content.decode()


def refused_by_api(response: Any, field: str, message: str) -> None:
    """The API refused `field` with `message`, in the one error shape."""
    assert response.status_code == 422, response.content
    assert {"field": field, "message": message} in response.json()["errors"]


@contextmanager
def refused_by_service(field: str, message: str) -> Iterator[None]:
    """The service called inside refused `field` with `message`, and nothing else."""
    with pytest.raises(ValidationError) as refused:
        yield
    assert refused.value.message_dict == {field: [message]}


def api_post(client: Client, token: str, path: str, data: Any) -> Any:
    return client.post(
        path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def sign_in(page: Any, base: str, username: str, *, next_path: str = "") -> None:
    """Sign in through the login form (as a person does) and wait for where it leads."""
    page.goto(f"{base}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}{next_path or '/'}")


#: Debian's chromium as root in a closed network: no sandbox, no background connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def new_page(
    chromium_path: str, live_server: Any, monkeypatch: Any
) -> Iterator[Callable[..., Any]]:
    """Open pages in one headless Chromium against the live server: `new_page(viewport=…)`
    takes browser-context options (viewport, is_mobile, geolocation …). The test fails if any
    page raised an uncaught script error."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls stay sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)

        def make(**context: Any) -> Any:
            page = browser.new_context(locale="zh-CN", **context).new_page()
            page.set_default_timeout(15000)
            page.on("pageerror", lambda e: errors.append(str(e)))
            return page

        yield make
        browser.close()
        # The test's own queries ran while Playwright's event loop was set, on connections of
        # that context, which the database teardown (outside it) cannot see: close them here.
        connections.close_all()
    assert errors == [], errors  # no uncaught script error on any page


@pytest.fixture
def chromium_path() -> Iterator[str]:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(path):
        if os.environ.get("WARMWINTER_REQUIRE_BROWSER"):
            pytest.fail(f"浏览器测试需要 {path}（scripts/ensure-chromium 会安装它）")
        pytest.skip(f"{path} not installed")
    yield path

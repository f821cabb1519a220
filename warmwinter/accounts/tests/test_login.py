import pytest
from django.test import Client
from django.urls import reverse

from warmwinter.audit.models import AuditEvent
from warmwinter.conftest import PASSWORD

HOME_HEADINGS = {
    "city_admin": "全市总览",
    "huangpu_admin": "本区总览",
    "huangpu_dispatcher": "调度工作台",
    "pudong_patrol": "今日巡查",
    "station_worker": "本站工作台",
    "reporter": "发现有人在寒冷中需要帮助？",
    "auditor": "审计查阅（只读）",
}


@pytest.mark.parametrize(("persona", "heading"), HOME_HEADINGS.items())
def test_each_role_lands_on_its_own_home_page(request, persona, heading):
    user = request.getfixturevalue(persona)
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert heading in response.content.decode()


def test_hotline_home_lists_the_public_stations_of_the_whole_city(make_user, client_for):
    hotline = make_user("hotline", "hotline_operator", "S310000-1")
    body = client_for(hotline).get("/").content.decode()
    assert "浦东新区救助管理站" in body
    assert "上海市救助管理二站" in body


def test_a_wrong_password_is_refused_in_chinese_and_audited(client, city_admin):
    response = client.post(reverse("accounts:login"), {"username": "city_admin", "password": "x"})
    assert response.status_code == 422
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", actor_label="city_admin").exists()


def test_login_and_logout_are_in_the_audit_trail(client, huangpu_dispatcher):
    client.post(reverse("accounts:login"), {"username": "huangpu_dispatcher", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    actions = list(
        AuditEvent.objects.filter(actor=huangpu_dispatcher).values_list("action", flat=True)
    )
    assert sorted(actions) == ["login", "logout"]


def test_navigation_follows_the_role(client_for, huangpu_dispatcher, auditor):
    nav = [i["label"] for i in client_for(huangpu_dispatcher).get("/").context["nav_items"]]
    assert "审计日志" not in nav and "地图" in nav
    nav = [i["label"] for i in client_for(auditor).get("/").context["nav_items"]]
    assert "审计日志" in nav


def test_english_switch_translates_the_interface(client, reference):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/accounts/login/"}, follow=True
    )
    body = response.content.decode()
    assert "Sign in" in body
    assert 'lang="en"' in body

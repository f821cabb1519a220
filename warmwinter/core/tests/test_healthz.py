from unittest import mock

from django.db.utils import OperationalError


def test_healthz_reports_a_working_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_is_503_when_the_database_is_down(client, db):
    with mock.patch("warmwinter.core.views.connection.cursor", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_a_missing_page_is_explained_in_chinese(client_for, huangpu_dispatcher, settings):
    settings.DEBUG = False
    response = client_for(huangpu_dispatcher).get("/places/999999/")
    assert response.status_code == 404
    assert "不在您的查看范围内" in response.content.decode()


def test_a_forbidden_page_is_explained_in_chinese(client_for, reporter):
    response = client_for(reporter).get("/places/")
    assert response.status_code == 403
    assert "您的角色不能使用此页面" in response.content.decode()


def test_livez_answers_without_the_database(client):
    with mock.patch("warmwinter.core.views.connection.cursor", side_effect=OperationalError):
        assert client.get("/livez").json() == {"status": "ok"}

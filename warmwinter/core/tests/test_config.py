import pytest

from warmwinter.config import ConfigError, env_bool, env_int, env_list, env_retired, env_secret


def test_env_bool_refuses_a_value_it_cannot_read(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ConfigError, match="X_FLAG"):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "on")
    assert env_bool("X_FLAG", False) is True


def test_env_int_checks_type_and_minimum(monkeypatch):
    monkeypatch.setenv("X_N", "ten")
    with pytest.raises(ConfigError):
        env_int("X_N", 1)
    monkeypatch.setenv("X_N", "-1")
    with pytest.raises(ConfigError, match="minimum"):
        env_int("X_N", 1, minimum=0)


def test_env_list_and_secret_file(monkeypatch, tmp_path):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("X_KEY_FILE", str(secret))
    assert env_secret("X_KEY") == "s3cret"
    monkeypatch.setenv("X_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError):
        env_secret("X_KEY")


def test_a_retired_variable_stops_the_app_and_says_where_its_value_lives_now(monkeypatch):
    env_retired("X_OLD_RADIUS", now_in="the rule patrols.checkin_radius")  # unset: nothing
    monkeypatch.setenv("X_OLD_RADIUS", "800")
    with pytest.raises(ConfigError, match="X_OLD_RADIUS is no longer read.*checkin_radius"):
        env_retired("X_OLD_RADIUS", now_in="the rule patrols.checkin_radius")

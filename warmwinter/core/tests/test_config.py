import pytest

from warmwinter.config import ConfigError, env_bool, env_int, env_list, env_secret


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

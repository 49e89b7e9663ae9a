import pytest

from comptoir.lib.env import Env, SettingError


def test_defaults_apply_to_missing_and_blank_values():
    env = Env({"COMPTOIR_X": "  "})
    assert env.string("COMPTOIR_X", "dflt") == "dflt"
    assert env.integer("COMPTOIR_Y", 3) == 3
    assert env.boolean("COMPTOIR_Z", True) is True


@pytest.mark.parametrize(("raw", "value"), [("yes", True), ("0", False), ("ON", True)])
def test_booleans(raw, value):
    assert Env({"V": raw}).boolean("V", not value) is value


def test_errors_name_the_variable():
    with pytest.raises(SettingError, match="COMPTOIR_WORKERS: expected a whole number"):
        Env({"COMPTOIR_WORKERS": "two"}).integer("COMPTOIR_WORKERS", 2)
    with pytest.raises(SettingError, match="COMPTOIR_DEBUG: expected true or false"):
        Env({"COMPTOIR_DEBUG": "maybe"}).boolean("COMPTOIR_DEBUG", False)
    with pytest.raises(SettingError, match="at least 1"):
        Env({"N": "0"}).integer("N", 2, minimum=1)
    with pytest.raises(SettingError, match="expected one of en, fr"):
        Env({"L": "de"}).choice("L", "en", ["en", "fr"])


def test_a_url_with_a_password_is_not_repeated_in_the_error():
    env = Env({"U": "memcached://user:hunter2@cache", "V": "ftp://host"})
    with pytest.raises(SettingError, match=r"^U: expected redis://$"):
        env.url("U", "", schemes={"redis"}, expected="redis://", host=True)
    with pytest.raises(SettingError, match="got 'ftp://host'"):
        env.url("V", "", schemes={"http"}, expected="http://", host=True)
    assert env.url("W", "", schemes={"redis"}, expected="redis://", host=True) == ""


def test_a_secret_is_generated_once_and_kept_for_its_owner_only(tmp_path):
    key_file = tmp_path / "secret_key"
    first = Env({}).secret("S", min_length=32, generated_in=key_file)
    assert len(first) >= 50
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert Env({}).secret("S", min_length=32, generated_in=key_file) == first
    with pytest.raises(SettingError, match="S: must be at least 32 characters long"):
        Env({"S": "short"}).secret("S", min_length=32, generated_in=key_file)


def test_a_directory_is_made_relative_to_the_base_and_created(tmp_path):
    assert Env({"D": "var/x"}).directory("D", tmp_path, base=tmp_path) == tmp_path / "var" / "x"
    assert (tmp_path / "var" / "x").is_dir()
    (tmp_path / "file").write_text("")
    with pytest.raises(SettingError, match="D: cannot create"):
        Env({"D": str(tmp_path / "file" / "sub")}).directory("D", tmp_path, base=tmp_path)


def test_patterns_and_time_zones_are_checked():
    assert Env({"C": "usd"}).pattern("C", "EUR", "[A-Za-z]{3}", expected="a code") == "usd"
    with pytest.raises(SettingError, match="C: expected a code, got 'euro'"):
        Env({"C": "euro"}).pattern("C", "EUR", "[A-Za-z]{3}", expected="a code")
    assert Env({}).time_zone("T", "Europe/Paris") == "Europe/Paris"
    with pytest.raises(SettingError, match="T: unknown time zone 'Mars/Olympus'"):
        Env({"T": "Mars/Olympus"}).time_zone("T", "UTC")

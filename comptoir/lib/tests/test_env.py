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

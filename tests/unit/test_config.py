"""Settings come from the environment and from a .env file."""

from wms.config import Settings


def test_environment_overrides_the_defaults(monkeypatch):
    monkeypatch.setenv("WMS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/wms")
    monkeypatch.setenv("WMS_LABEL_DPI", "300")
    s = Settings(_env_file=None)
    assert s.database_url == "postgresql://postgres@127.0.0.1:5432/wms"
    assert s.label_dpi == 300


def test_a_dotenv_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("WMS_STATION_IDS", raising=False)
    env = tmp_path / ".env"
    env.write_text("WMS_STATION_IDS=PK-01, PK-02\nWMS_LABEL_SIZE=76x130\n")
    s = Settings(_env_file=env)
    assert s.stations == ["PK-01", "PK-02"]
    assert s.label_size == "76x130"


def test_the_default_database_is_an_embedded_sqlite_file(monkeypatch):
    monkeypatch.delenv("WMS_DATABASE_URL", raising=False)
    assert Settings(_env_file=None).database_url.startswith("sqlite:///")

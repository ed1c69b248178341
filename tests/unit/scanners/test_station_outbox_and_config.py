"""The station's local queue and its configuration file."""

import pytest

from scanners.station.config import ConfigError, load_config, parse_config
from scanners.station.outbox import Outbox


def test_events_come_out_in_order_and_survive_a_restart(tmp_path):
    box = Outbox(tmp_path / "o.db")
    box.put("PK-01", {"kind": "scan", "code": "A"})
    box.put("PK-01", {"kind": "scan", "code": "B"})
    box.close()
    box = Outbox(tmp_path / "o.db")
    seq, first = box.peek()
    assert first["code"] == "A" and first["event_id"].startswith("PK-01-")
    box.done(seq)
    assert box.peek()[1]["code"] == "B" and len(box) == 1


def test_an_event_stays_until_it_is_marked_done(tmp_path):
    box = Outbox(tmp_path / "o.db")
    box.put("PK-01", {"kind": "weight", "grams": 500})
    assert box.peek() == box.peek()
    assert len(box) == 1


def test_the_same_event_id_is_queued_once(tmp_path):
    box = Outbox(tmp_path / "o.db")
    box.put("PK-01", {"event_id": "e1", "kind": "scan", "code": "A"})
    box.put("PK-01", {"event_id": "e1", "kind": "scan", "code": "A"})
    assert len(box) == 1


GOOD = {"station": "PK-01", "service": {"url": "http://127.0.0.1:8000", "token": "t"},
        "scale": {"port": "/dev/ttyUSB0", "protocol": "nci"}}


def test_a_good_config_parses():
    cfg = parse_config(GOOD)
    assert (cfg.station, cfg.service_url, cfg.scale["protocol"]) == ("PK-01", "http://127.0.0.1:8000", "nci")


@pytest.mark.parametrize("change,message", [
    ({"service": None}, "[service]"),
    ({"service": {"url": "127.0.0.1:8000", "token": "t"}}, "service.url must start"),
    ({"scale": {"port": "/dev/x", "protocol": "acme"}}, "scale.protocol"),
    ({"station": ""}, "station is required"),
    ({"printer": {"url": "tcp://p:9100", "format": "pcl"}}, "printer.format"),
])
def test_a_bad_config_names_the_key(change, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config({**GOOD, **change})


def test_a_missing_file_says_how_to_get_an_example(tmp_path):
    with pytest.raises(ConfigError, match="sample-config"):
        load_config(tmp_path / "nope.toml")

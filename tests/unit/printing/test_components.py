"""The print-component messages (printing.components) against the component emulator over a local
WebSocket: which component prints which print data, Pinduoduo's push without a requestID,
a task with no documents refused at once."""

from __future__ import annotations

import json

from websockets.sync.client import connect

from emulators.print_component import PrintComponentEmulator
from printing.components import component_of, print_request, read_ack
from scanners.agent.components import ComponentRelay


def test_which_component_prints_which_print_data():
    assert component_of({"data": {"waybillCode": "ZT1"}, "templateURL": "t"}) is None, "plain: we render it"
    assert component_of({"encryptedData": "AES:x", "signature": "s", "templateURL": "t",
                         "ver": "waybill_print_secret_version_1"}) == "cainiao"
    assert component_of({"encryptedData": "x", "signature": "s", "templateUrl": "t", "userid": "1"}) == "pinduoduo"
    assert component_of({"encryptedData": "x", "signature": "s", "params": "p"}) == "douyin"
    assert component_of({"encryptedData": "DY:x", "signature": "s", "templateURL": "t"}) == "douyin"


def test_pinduoduos_push_has_no_request_id_and_still_settles_the_task():
    with PrintComponentEmulator("pinduoduo") as pdd:
        document = {"tracking_no": "YT100", "component": "pinduoduo",
                    "print_data": {"encryptedData": "AES:ok", "signature": "s", "templateUrl": "t", "userid": "9"}}
        outcome = ComponentRelay({"pinduoduo": pdd.url}, timeout_s=5).print_document(document)
        assert outcome.ok and pdd.printed == ["YT100"]
        bad = ComponentRelay({"pinduoduo": pdd.url}, timeout_s=5).print_document(
            {**document, "print_data": {**document["print_data"], "encryptedData": "garbled"}})
        assert not bad.ok and "Unknown encryption type" in bad.error and pdd.printed == ["YT100"]


def test_a_task_without_documents_is_refused_at_once_with_errorcode_11():
    with PrintComponentEmulator("cainiao") as component, connect(component.url) as ws:
        request = print_request("cainiao", "ZT1", {"encryptedData": "AES:x"})
        request["task"]["documents"] = []
        ws.send(json.dumps(request))
        outcome = read_ack(request, json.loads(ws.recv(timeout=5)))
        assert outcome is not None and outcome.done and not outcome.ok
        assert "document not found" in outcome.error and "errorCode 11" in outcome.error

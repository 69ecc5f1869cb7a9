"""Tests of model_check itself (no server needed): the checker must accept what conforms and name each
kind of mismatch with a precise path."""

from __future__ import annotations

import copy
import json
import pathlib

import pytest
from alibabacloud_sas20181203 import models

from model_check import check_against_model, conforming_example, model_fields, model_for

CATALOG = pathlib.Path(__file__).resolve().parents[3] / "catalog" / "sas-2018-12-03.json"


def _event(**overrides):
    """One DescribeSuspEvents event carrying every field its model declares."""
    event = conforming_example(models.DescribeSuspEventsResponseBodySuspEvents)
    event.update(overrides)
    return event


def _susp_events_body():
    return {
        "RequestId": "EA15BA8A-D631-4375-8D40-CB7C769B0279",
        "CurrentPage": 1,
        "PageSize": 20,
        "Count": 2,
        "TotalCount": 2,
        "SuspEvents": [
            _event(Id=101, Uuid="503201a7-14c6-4280-801b-1169ed42aaaa", Level="serious", EventStatus=1,
                   CanBeDealOnLine=True, OccurrenceTime="2026-11-28 21:08:00", OccurrenceTimeStamp=1795900080000,
                   Details=[{"Type": "text", "NameDisplay": "Path", "Value": "/tmp/x", "ValueDisplay": "/tmp/x"}],
                   EventNotes=[], MarkList=["a", "b"]),
            _event(Id=102),
        ],
    }


def _lines(problems, prefix):
    return [p for p in problems if p.startswith(prefix)]


# --- what conforms passes ----------------------------------------------------------------------------------

def test_conforming_body_passes():
    assert check_against_model(_susp_events_body(), models.DescribeSuspEventsResponseBody) == []


def test_small_hand_written_body_passes():
    body = {"RequestId": "r", "ScanTaskProgress": "Success",
            "TargetInfo": '[{"type":"uuid","name":"host001","target":"503201a7"}]'}
    assert check_against_model(body, model_for("DescribeScanTaskProgress")) == []


def test_int_is_a_valid_float_and_empty_lists_conform():
    body = _susp_events_body()
    body["SuspEvents"] = []
    assert check_against_model(body, models.DescribeSuspEventsResponseBody) == []


# --- each kind of mismatch, with its path --------------------------------------------------------------------

def test_missing_field_in_a_list_item():
    body = _susp_events_body()
    del body["SuspEvents"][0]["Id"]
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert problems == ["SuspEvents[0].Id: missing (int)"]


def test_missing_top_level_field():
    body = _susp_events_body()
    del body["TotalCount"]
    assert check_against_model(body, models.DescribeSuspEventsResponseBody) == ["TotalCount: missing (int)"]


def test_allow_missing_skips_only_the_presence_check():
    body = {"RequestId": "r", "Extra": 1}
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody, allow_missing=True)
    assert problems == ["Extra: not declared by DescribeSuspEventsResponseBody (value 1)"]


def test_extra_field_top_level_and_nested():
    body = _susp_events_body()
    body["PageInfo"] = {"CurrentPage": 1}
    body["SuspEvents"][1]["Foo"] = "bar"
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert _lines(problems, "PageInfo: not declared by DescribeSuspEventsResponseBody")
    assert _lines(problems, "SuspEvents[1].Foo: not declared by DescribeSuspEventsResponseBodySuspEvents")
    assert len(problems) == 2


def test_string_where_an_int_is_declared():
    body = _susp_events_body()
    body["SuspEvents"][0]["Id"] = "101"
    body["TotalCount"] = "2"
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert sorted(problems) == sorted([
        'SuspEvents[0].Id: expected integer (int), got string "101"',
        'TotalCount: expected integer (int), got string "2"',
    ])


def test_wrong_type_inside_a_nested_list_item():
    body = _susp_events_body()
    body["SuspEvents"][0]["Details"][0]["Type"] = 7
    body["SuspEvents"][1]["EventNotes"] = [{"Note": "n", "NoteId": "12", "NoteTime": "t"}]
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert sorted(problems) == sorted([
        "SuspEvents[0].Details[0].Type: expected string (str), got integer 7",
        'SuspEvents[1].EventNotes[0].NoteId: expected integer (int), got string "12"',
    ])


def test_bool_is_not_an_int_and_int_is_not_a_bool():
    body = _susp_events_body()
    body["SuspEvents"][0]["EventStatus"] = True
    body["SuspEvents"][0]["CanBeDealOnLine"] = 1
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert sorted(problems) == sorted([
        "SuspEvents[0].EventStatus: expected integer (int), got boolean true",
        "SuspEvents[0].CanBeDealOnLine: expected boolean (bool), got integer 1",
    ])


def test_float_where_int_declared_and_wrong_item_in_a_list_of_scalars():
    body = _susp_events_body()
    body["Count"] = 2.0
    body["SuspEvents"][0]["MarkList"] = ["a", 3]
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert sorted(problems) == sorted([
        "Count: expected integer (int), got number 2.0",
        "SuspEvents[0].MarkList[1]: expected string (str), got integer 3",
    ])


def test_container_shape_mismatches():
    body = _susp_events_body()
    body["SuspEvents"][0]["Details"] = {"Type": "text"}
    body["SuspEvents"][1] = "not an event"
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert _lines(problems, "SuspEvents[0].Details: expected array (List[DescribeSuspEventsResponseBodySuspEventsDetails]), got object")
    assert _lines(problems, "SuspEvents[1]: expected object (DescribeSuspEventsResponseBodySuspEvents), got string")
    assert len(problems) == 2


def test_null_is_a_mismatch_unless_allowed():
    body = _susp_events_body()
    body["SuspEvents"][0]["Name"] = None
    problems = check_against_model(body, models.DescribeSuspEventsResponseBody)
    assert problems == ["SuspEvents[0].Name: expected string (str), got null"]
    assert check_against_model(body, models.DescribeSuspEventsResponseBody, allow_null=True) == []


def test_body_that_is_not_an_object():
    assert check_against_model([], models.DescribeSuspEventsResponseBody) == [
        "<body>: expected object (DescribeSuspEventsResponseBody), got array []"]


def test_nested_model_object_and_map_of_models():
    stat = model_for("GetVirusScanLatestTaskStatistic")
    body = conforming_example(stat)
    assert check_against_model(body, stat) == []
    body["Data"]["Progress"] = 50  # a string percentage in this model
    assert check_against_model(body, stat) == ['Data.Progress: expected string (str), got integer 50']

    batch = model_for("GetAgentlessTaskCountBatch")  # Data: Dict[str, DataValue]
    body = conforming_example(batch)
    assert check_against_model(body, batch) == []
    body["Data"]["uuid-1"] = {"Bogus": 1}
    problems = check_against_model(body, batch)
    assert _lines(problems, 'Data["uuid-1"].Bogus: not declared by DataValue')
    assert any(p.startswith('Data["uuid-1"].') and ": missing (" in p for p in problems)


# --- introspection ----------------------------------------------------------------------------------------------

def test_wire_names_come_from_to_map_including_odd_spellings():
    wires = {wire: attr for wire, attr, _ in model_fields(models.DescribeSuspEventsResponseBodySuspEvents)}
    assert wires["clusterId"] == "cluster_id"
    assert wires["K8sClusterId"] == "k_8s_cluster_id"
    assert wires["Id"] == "id"
    assert len(wires) == 58  # virus-scan-workflow.md says 60; the pinned model declares 58


def test_model_for():
    assert model_for("DescribeSuspEvents") is models.DescribeSuspEventsResponseBody
    assert model_for("AddCloudVendorAccountAK") is models.AddCloudVendorAccountAKResponseBody
    with pytest.raises(KeyError):
        model_for("NoSuchAction")


def test_every_catalogued_action_has_a_readable_model():
    actions = json.loads(CATALOG.read_text())["actions"]
    assert len(actions) == 965
    for action in actions:
        model = model_for(action)
        example = conforming_example(model)
        assert check_against_model(copy.deepcopy(example), model) == [], action

"""The seed domain's boto3 code (seed_app.py) running unchanged over a
PostgreSQL connection."""

from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary

from conftest import create_table
from seed_app import Bank, Forum, Users

TABLE = "seed_app"


@pytest.fixture(scope="module")
def table(dynamodb, client):
    create_table(client, TABLE)
    yield dynamodb.Table(TABLE)
    client.delete_table(TableName=TABLE)


@pytest.fixture(scope="module")
def users(table):
    users = Users(table)
    for user_id, name in (("ann", "Ann"), ("bob", "Bob")):
        assert users.create(user_id, name, user_id + "@example.com")
    for user_id, day, status in (
        ("ann", 1, "shipped"),
        ("ann", 5, "pending"),
        ("ann", 9, "shipped"),
        ("bob", 2, "shipped"),
        ("bob", 7, "pending"),
    ):
        users.add_order(user_id, user_id + str(day), "2026-11-%02d" % day, "%d.99" % (day * 10), status)
    return users


def test_table_resource_describes_the_table(table):
    assert table.key_schema == [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ]
    assert table.table_status == "ACTIVE"
    assert [i["IndexName"] for i in table.global_secondary_indexes] == ["GSI1"]


def test_user_is_created_once(users):
    assert users.get("ann") == {"PK": "USER#ann", "SK": "PROFILE", "name": "Ann", "email": "ann@example.com"}
    # the second create meets the condition: ConditionalCheckFailedException
    assert users.create("ann", "Another Ann", "x@example.com") is False
    assert users.get("ann")["name"] == "Ann"
    assert users.get("nobody") is None


def test_conditional_check_failed_is_boto3s_own_exception(table, users):
    client = table.meta.client
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as failed:
        table.put_item(Item={"PK": "USER#bob", "SK": "PROFILE"}, ConditionExpression="attribute_not_exists(PK)")
    error = failed.value.response["Error"]
    assert error["Code"] == "ConditionalCheckFailedException"
    assert error["Message"] == "The conditional request failed"
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_orders_newest_first_with_begins_with(users):
    orders, pages = users.orders("ann")
    assert [o["SK"] for o in orders] == ["ORDER#2026-11-09#ann9", "ORDER#2026-11-05#ann5", "ORDER#2026-11-01#ann1"]
    assert [o["total"] for o in orders] == [Decimal("90.99"), Decimal("50.99"), Decimal("10.99")]
    assert all(isinstance(o["total"], Decimal) for o in orders)
    assert pages == 1


def test_orders_page_by_page(users):
    orders, pages = users.orders("ann", newest_first=False, page_size=2)
    assert [o["orderId"] for o in orders] == ["ann1", "ann5", "ann9"]
    assert pages == 2


def test_query_paginator(client, users):
    pages = client.get_paginator("query").paginate(
        TableName=TABLE,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :p)",
        ExpressionAttributeValues={":pk": {"S": "USER#ann"}, ":p": {"S": "ORDER#"}},
        PaginationConfig={"PageSize": 1},
    )
    ids = [item["orderId"]["S"] for page in pages for item in page["Items"]]
    assert ids == ["ann1", "ann5", "ann9"]


def test_orders_by_status_through_the_gsi(users):
    shipped = users.orders_with_status("shipped")
    assert sorted(o["orderId"] for o in shipped) == ["ann1", "ann9", "bob2"]


def test_ship_an_order_once(users):
    assert users.ship("bob", "ORDER#2026-11-07#bob7") == {"status": "shipped", "GSI1PK": "ORDER_STATUS#shipped"}
    assert users.ship("bob", "ORDER#2026-11-07#bob7") is None
    assert "bob7" in [o["orderId"] for o in users.orders_with_status("shipped")]


def test_forum_batch_writer_and_pages(table):
    sent = []
    table.meta.client.meta.events.register("before-call.dynamodb.BatchWriteItem", lambda **kw: sent.append(1))
    forum = Forum(table)
    forum.post_many("1", [("ann" if n % 2 == 0 else "bob", "post number %d" % n) for n in range(1, 31)])
    # batch_writer sends 25 items a request
    assert len(sent) == 2
    seen, start, pages = [], None, 0
    while True:
        items, start = forum.page("1", 12, start)
        pages += 1
        seen += [i["SK"] for i in items]
        assert all(set(i) == {"SK", "author"} for i in items)
        if start is None:
            break
    assert seen == ["POST#%04d" % n for n in range(1, 31)]
    assert pages == 3


def test_transfer_is_all_or_nothing(client, table):
    bank = Bank(client, TABLE)
    bank.open("a", 100)
    bank.open("b", 0)
    bank.transfer("t1", "a", "b", 30)
    assert (bank.balance("a"), bank.balance("b")) == (Decimal(70), Decimal(30))

    # too much: the first action's condition fails, nothing is written
    with pytest.raises(client.exceptions.TransactionCanceledException) as cancelled:
        bank.transfer("t2", "a", "b", 500)
    reasons = cancelled.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ConditionalCheckFailed", "None", "None"]
    assert reasons[0]["Item"]["balance"] == {"N": "70"}
    assert "ConditionalCheckFailed" in cancelled.value.response["Error"]["Message"]

    # the transfer id is taken: the last action's condition fails
    with pytest.raises(client.exceptions.TransactionCanceledException) as cancelled:
        bank.transfer("t1", "a", "b", 10)
    assert [r["Code"] for r in cancelled.value.response["CancellationReasons"]] == [
        "None",
        "None",
        "ConditionalCheckFailed",
    ]
    assert (bank.balance("a"), bank.balance("b")) == (Decimal(70), Decimal(30))
    assert "Item" not in client.get_item(TableName=TABLE, Key={"PK": {"S": "TRANSFER#t2"}, "SK": {"S": "TRANSFER"}})


def test_numbers_keep_their_precision(table):
    n = Decimal("12345678901234567890123456789012345678")
    f = Decimal("-0.000000000000000000000000000000000001")
    table.put_item(Item={"PK": "NUM", "SK": "1", "n": n, "f": f, "i": 7})
    item = table.get_item(Key={"PK": "NUM", "SK": "1"})["Item"]
    assert (item["n"], item["f"], item["i"]) == (n, f, Decimal(7))


def test_query_between_with_a_filter_on_a_nested_map(table):
    table.put_item(Item={"PK": "DOC", "SK": "1", "meta": {"tags": ["a", "b"], "rank": 2}})
    table.put_item(Item={"PK": "DOC", "SK": "2", "meta": {"tags": ["c"], "rank": 5}})
    page = table.query(
        KeyConditionExpression=Key("PK").eq("DOC") & Key("SK").between("1", "9"),
        FilterExpression=Attr("meta.rank").gt(3),
    )
    assert [i["SK"] for i in page["Items"]] == ["2"]
    assert page["Count"] == 1 and page["ScannedCount"] == 2


def test_string_and_number_sets_round_trip(table):
    table.put_item(Item={"PK": "SET", "SK": "1", "tags": {"a", "b"}, "scores": {Decimal(1), Decimal(2)}})
    item = table.get_item(Key={"PK": "SET", "SK": "1"})["Item"]
    assert item["tags"] == {"a", "b"} and item["scores"] == {Decimal(1), Decimal(2)}


def test_binary_round_trips(table):
    table.put_item(Item={"PK": "BIN", "SK": "1", "data": Binary(b"\x00\x01\xff")})
    item = table.get_item(Key={"PK": "BIN", "SK": "1"})["Item"]
    assert item["data"] == Binary(b"\x00\x01\xff")


def test_nested_sets_and_binary_round_trip(table):
    # binary sets, bytes, and sets inside maps and lists keep their type
    item = {
        "PK": "BIN",
        "SK": "2",
        "blobs": {Binary(b"\x00"), Binary(b"\xff\x00")},
        "raw": b"\x01\x02",
        "doc": {"ids": {Decimal(1), Decimal("2.5")}, "list": [{"x"}, Binary(b"")], "$B": "not binary"},
    }
    table.put_item(Item=item)
    got = table.get_item(Key={"PK": "BIN", "SK": "2"})["Item"]
    assert got["blobs"] == {Binary(b"\x00"), Binary(b"\xff\x00")}
    assert got["raw"] == Binary(b"\x01\x02")
    assert got["doc"] == {"ids": {Decimal(1), Decimal("2.5")}, "list": [{"x"}, Binary(b"")], "$B": "not binary"}


def test_set_updates_and_conditions(table):
    table.put_item(Item={"PK": "SETU", "SK": "1", "tags": {"a", "b"}, "colors": {"x", "y"}, "blob": Binary(b"\x80")})
    out = table.update_item(
        Key={"PK": "SETU", "SK": "1"},
        UpdateExpression="ADD tags :t DELETE colors :d",
        ConditionExpression="contains(tags, :a) AND size(#blob) = :one AND #blob > :low",
        ExpressionAttributeNames={"#blob": "blob"},
        ExpressionAttributeValues={":t": {"c"}, ":d": {"x", "y"}, ":a": "a", ":one": 1, ":low": Binary(b"\x7f")},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    # the last members deleted remove the attribute: DynamoDB keeps no empty set
    assert out["tags"] == {"a", "b", "c"} and "colors" not in out

"""The README's psycopg2 consumer recipe ("Consuming from a program"), run
as printed: a consumer stopped and started again continues right after the
last record it stored, with no duplicates and nothing lost."""

import os
import re

import pytest

from conftest import DSN, create_table

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "README.md")


def recipe():
    """The python block of the README's psycopg2 consumer recipe."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("### Consuming from a program"):]
    section = section[: section.index("\n### ", 1)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no python block in the README's 'Consuming from a program'"
    namespace = {}
    exec(compile(blocks[0], "README.md recipe", "exec"), namespace)
    return namespace["consume"]


class Stop(Exception):
    pass


@pytest.fixture(scope="module")
def app(dynamodb, client):
    # the recipe reads the table named app
    create_table(client, "app", indexes=())
    yield dynamodb.Table("app")
    client.delete_table(TableName="app")


def run_until(consume, slot, stored, stop_at):
    """Store records until the one of item stop_at arrives (not stored):
    the consumer is stopped there, as by a deployment."""

    def store(record):
        sk = record["dynamodb"]["Keys"]["SK"]
        if sk == stop_at:
            raise Stop()
        stored.append(sk)

    with pytest.raises(Stop):
        consume(DSN, slot, store)


def test_recipe_resumes_without_duplicates(app, slot):
    consume = recipe()
    for n in range(1, 4):
        app.put_item(Item={"PK": "R", "SK": str(n)})
    stored = []
    run_until(consume, slot, stored, "3")
    app.put_item(Item={"PK": "R", "SK": "4"})
    run_until(consume, slot, stored, "4")
    assert stored == ["1", "2", "3"]

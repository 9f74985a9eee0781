"""The seed domain (test/example/seed.sql) as a DynamoDB team writes it with
boto3: nothing here knows about PostgreSQL.  Users and their orders
(PK = USER#<id>, SK = PROFILE | ORDER#<date>#<id>, orders by status through
GSI1), a forum (CATEGORY#, TOPIC#, POST#) and a bank account whose
transfers are DynamoDB transactions."""

from decimal import Decimal

from boto3.dynamodb.conditions import Attr, Key


class Users:
    def __init__(self, table):
        self.table = table
        self.errors = table.meta.client.exceptions

    def create(self, user_id, name, email):
        """A new user; False if the id is taken."""
        try:
            self.table.put_item(
                Item={"PK": "USER#" + user_id, "SK": "PROFILE", "name": name, "email": email},
                ConditionExpression=Attr("PK").not_exists(),
            )
            return True
        except self.errors.ConditionalCheckFailedException:
            return False

    def get(self, user_id):
        return self.table.get_item(Key={"PK": "USER#" + user_id, "SK": "PROFILE"}).get("Item")

    def add_order(self, user_id, order_id, date, total, status="pending"):
        self.table.put_item(
            Item={
                "PK": "USER#" + user_id,
                "SK": "ORDER#%s#%s" % (date, order_id),
                "orderId": order_id,
                "total": Decimal(total),
                "status": status,
                "GSI1PK": "ORDER_STATUS#" + status,
                "GSI1SK": date,
            }
        )

    def orders(self, user_id, newest_first=True, page_size=None):
        """Every order of a user, reading page by page."""
        kwargs = {
            "KeyConditionExpression": Key("PK").eq("USER#" + user_id) & Key("SK").begins_with("ORDER#"),
            "ScanIndexForward": not newest_first,
        }
        if page_size:
            kwargs["Limit"] = page_size
        items, pages = [], 0
        while True:
            page = self.table.query(**kwargs)
            items += page["Items"]
            pages += 1
            if "LastEvaluatedKey" not in page:
                return items, pages
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def orders_with_status(self, status):
        page = self.table.query(IndexName="GSI1", KeyConditionExpression=Key("GSI1PK").eq("ORDER_STATUS#" + status))
        return page["Items"]

    def ship(self, user_id, sk):
        """Ship a pending order; None if it was not pending."""
        try:
            return self.table.update_item(
                Key={"PK": "USER#" + user_id, "SK": sk},
                UpdateExpression="SET #s = :shipped, GSI1PK = :gsi",
                ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":shipped": "shipped",
                    ":pending": "pending",
                    ":gsi": "ORDER_STATUS#shipped",
                },
                ReturnValues="UPDATED_NEW",
            )["Attributes"]
        except self.errors.ConditionalCheckFailedException:
            return None


class Forum:
    def __init__(self, table):
        self.table = table

    def post_many(self, topic, posts):
        with self.table.batch_writer() as batch:
            for n, (author, body) in enumerate(posts, 1):
                batch.put_item(
                    Item={"PK": "TOPIC#" + topic, "SK": "POST#%04d" % n, "author": author, "body": body}
                )

    def page(self, topic, size, start=None):
        kwargs = {
            "KeyConditionExpression": Key("PK").eq("TOPIC#" + topic) & Key("SK").begins_with("POST#"),
            "Limit": size,
            "ProjectionExpression": "SK, author",
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = self.table.query(**kwargs)
        return page["Items"], page.get("LastEvaluatedKey")


class Bank:
    """Accounts as items; a transfer is one TransactWriteItems with a balance
    condition and a ledger entry that must not exist yet."""

    def __init__(self, client, table_name):
        self.client = client
        self.table = table_name

    def open(self, account, balance):
        self.client.put_item(
            TableName=self.table,
            Item={"PK": {"S": "ACCOUNT#" + account}, "SK": {"S": "BALANCE"}, "balance": {"N": str(balance)}},
        )

    def balance(self, account):
        item = self.client.get_item(TableName=self.table, Key={"PK": {"S": "ACCOUNT#" + account}, "SK": {"S": "BALANCE"}})
        return Decimal(item["Item"]["balance"]["N"])

    def transfer(self, transfer_id, source, target, amount):
        amount = {"N": str(amount)}
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": {"PK": {"S": "ACCOUNT#" + source}, "SK": {"S": "BALANCE"}},
                        "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a",
                        "ExpressionAttributeValues": {":a": amount},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": {"PK": {"S": "ACCOUNT#" + target}, "SK": {"S": "BALANCE"}},
                        "UpdateExpression": "SET balance = balance + :a",
                        "ConditionExpression": "attribute_exists(PK)",
                        "ExpressionAttributeValues": {":a": amount},
                    }
                },
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": {
                            "PK": {"S": "TRANSFER#" + transfer_id},
                            "SK": {"S": "TRANSFER"},
                            "from": {"S": source},
                            "to": {"S": target},
                            "amount": amount,
                        },
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )

"""Records a transaction in DynamoDB."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    TABLE.put_item(Item={"transactionId": body["id"], "amount": str(body["amount"])})
    return {"statusCode": 201, "body": json.dumps({"id": body["id"]})}

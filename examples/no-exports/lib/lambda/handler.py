"""Stores an order."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    for record in event.get("Records", []):
        order = json.loads(record["body"])
        TABLE.put_item(Item={"orderId": order["id"], "status": "received"})
    return {"stored": len(event.get("Records", []))}

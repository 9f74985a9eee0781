"""singletable's Python client: boto3 over a PostgreSQL connection
(singletable.boto) and the change stream as Lambda DynamoDB Streams events
(singletable.stream).  Both need the singletable extension in the database;
see the project's README, "From the AWS SDK"."""

__version__ = "0.2.0"

"""The sources stage: fetch feeds (fetch), parse them (parse), classify entries (entries) and
schedule the next poll (backoff). The poller ties these to the event store."""

-- Trial: without the queue report's two indexes on calls (edges of a report's range, service
-- levels not kept) and the three that keep the unanswered filter index-driven (migration 0017).
DROP INDEX calls_queue_report, calls_answered_by_wait, calls_unanswered_by_queue,
    call_users_unanswered, call_sites_unanswered;

"""E-mail notifications to customers (received, estimate, ready, issued) and staff (deadline at risk or
overdue, parts arrived): a log row per notification, written in the transaction of the change that
causes it, and a job that sends it after the commit."""

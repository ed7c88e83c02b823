"""Notifications: events on an SNS topic, rendered from templates and sent through SES."""

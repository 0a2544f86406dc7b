"""Alerts to the performance team: one digest per run, by email and webhooks (apprise).

Public API::

    build_alert_sensors() -> list[dg.SensorDefinition]
    compose(report) -> (title, body) | None, send(title, body) -> bool
"""

from pipelines.alerts.digest import RunReport, compose
from pipelines.alerts.send import EMAIL_ENV, WEBHOOK_ENV, send
from pipelines.alerts.sensors import build_alert_sensors, report_for_run

__all__ = [
    "EMAIL_ENV",
    "WEBHOOK_ENV",
    "RunReport",
    "build_alert_sensors",
    "compose",
    "report_for_run",
    "send",
]

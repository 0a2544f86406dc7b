"""Sending the digest with apprise, to the addresses in the settings (pipelines/settings.py):

- BOARDPACK_ALERT_EMAIL_URL: apprise mail URL(s), e.g.
  ``mailtos://user:password@smtp.example.org:587?from=boardpack@example.org&to=perf@example.org``
  (``mailto://host:25?from=...&to=...&mode=insecure`` for a relay without TLS)
- BOARDPACK_ALERT_WEBHOOK_URLS: apprise webhook URL(s), separated by spaces or new lines, e.g.
  ``workflows://...`` or ``msteams://...`` (Teams), ``slack://...``, ``json://host/path``

Nothing is configured: nothing is sent (the digest is still logged by the sensor).
"""

from __future__ import annotations

import logging

import apprise

from pipelines.alerts.redact import guard_logger
from pipelines.settings import ENVIRONMENT_VARIABLES

EMAIL_ENV = ENVIRONMENT_VARIABLES["alert_email_url"]
WEBHOOK_ENV = ENVIRONMENT_VARIABLES["alert_webhook_urls"]

log = logging.getLogger(__name__)
# apprise logs a URL it cannot parse, secrets included: never let them through
guard_logger("apprise")


def send(title: str, body: str, urls: list[str]) -> bool:
    """Send to every destination (Settings.alert_urls); True when all of them accepted it."""
    if not urls:
        log.info("no alert destinations configured (%s, %s)", EMAIL_ENV, WEBHOOK_ENV)
        return False
    guard_logger("apprise")  # again, in case logging was reconfigured since import
    app = apprise.Apprise()
    for position, url in enumerate(urls, start=1):
        if not app.add(url):
            # never log the URL itself: it can hold a password or a webhook secret
            scheme = url.split("://", 1)[0] if "://" in url else "no scheme"
            log.error(
                "alert destination %d (%s://...) in %s / %s is not a URL apprise can use; "
                "nothing is sent there",
                position,
                scheme[:20],
                EMAIL_ENV,
                WEBHOOK_ENV,
            )
    if len(app) == 0:
        return False
    return bool(app.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))

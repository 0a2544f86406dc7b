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

from pipelines.settings import ENVIRONMENT_VARIABLES

EMAIL_ENV = ENVIRONMENT_VARIABLES["alert_email_url"]
WEBHOOK_ENV = ENVIRONMENT_VARIABLES["alert_webhook_urls"]

log = logging.getLogger(__name__)


def send(title: str, body: str, urls: list[str]) -> bool:
    """Send to every destination (Settings.alert_urls); True when all of them accepted it."""
    if not urls:
        log.info("no alert destinations configured (%s, %s)", EMAIL_ENV, WEBHOOK_ENV)
        return False
    app = apprise.Apprise()
    for url in urls:
        if not app.add(url):
            # never log the URL itself: it can hold a password or a webhook secret
            log.error("an alert URL in %s / %s is not valid for apprise", EMAIL_ENV, WEBHOOK_ENV)
    if len(app) == 0:
        return False
    return bool(app.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT))

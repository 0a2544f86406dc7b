"""GX Data Docs for the run, written to <output>/data_docs/ (index.html).

The results are sanitised first (gx_run._sanitise): counts and percentages only, no values
and no row ids, so the site can sit in the ordinary output folder beside the pack.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from pipelines.quality.gx_run import GxRunner
from pipelines.quality.outcomes import SuiteOutcome

SITE_NAME = "boardpack"

log = logging.getLogger(__name__)


def build_data_docs(runner: GxRunner, outcomes: list[SuiteOutcome], output_dir: Path) -> Path:
    """Render the run's validation results; returns the site's index.html."""
    site_dir = Path(output_dir) / "data_docs"
    # The site shows the latest run only (quality.check_results keeps the history), so the
    # pages of earlier runs are removed rather than piling up night after night.
    shutil.rmtree(site_dir / "validations", ignore_errors=True)
    site_dir.mkdir(parents=True, exist_ok=True)
    context = runner.context
    if SITE_NAME not in context.get_site_names():
        context.add_data_docs_site(
            SITE_NAME,
            {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    for outcome in outcomes:
        result = outcome.gx_result
        if result is None:
            continue
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=outcome.suite.name),
            run_id=result.meta["run_id"],
            batch_identifier=outcome.suite.table,
        )
        context.validation_results_store.set(key, result)
    try:
        context.build_data_docs(site_names=[SITE_NAME])
    except Exception:  # the docs are a convenience: never let them fail the checks
        log.exception("building Data Docs failed")
    return site_dir / "index.html"

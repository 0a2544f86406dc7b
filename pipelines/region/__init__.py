"""The regional comparison (issue 14, docs/region.md): each authority's indicators beside its
neighbours' and the region's, month by month, without any authority sharing child-level data.

    publish.py      one authority's warehouse -> its suppressed aggregates file (+ metadata)
    suppression.py  the DfE-style rule: primary suppression of small counts, then the cells
                    that would let a suppressed one be worked out by subtraction
    relations.py    which published figures count part of another (what subtraction could use)
    files.py        reading an aggregates file back, every problem as one line
    combine.py      N aggregates files -> the regional file (values, quartiles, ranks)
    cli.py          `boardpack region publish / combine`

Nothing here reads child-level tables: publish reads marts.fct_indicator_month, whose rows are
already monthly totals, and combine reads only the published files.
"""

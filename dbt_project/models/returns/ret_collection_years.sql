-- Collection years of the statutory returns: 1 April to 31 March, labelled '2024-25'.
-- census_year is the DfE's name for the year by its end ('2025' for 2024-25).
select
    cast(years.y as varchar) || '-' || right(cast(years.y + 1 as varchar), 2) as collection_year,
    cast(years.y + 1 as varchar) as census_year,
    make_date(years.y, 4, 1) as year_start,
    make_date(years.y + 1, 3, 31) as year_end
from range(2010, 2036) as years (y)

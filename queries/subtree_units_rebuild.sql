-- Recomputes `subtree_units` from the units (returns nothing): for each num of a unit at village level or above, how many active units of each level lie under it (the stored rollups' `expected`).
-- A num is counted once per level whose span it starts (the refresh's `expected` joins on num alone: a unit whose
-- num also starts a larger unit's span counts both subtrees, as the refresh always did). Rebuilt whole on every
-- change of units (materialize.refresh_all), on upgrade and on restore (stored_counts.rebuild): 500,000 units in
-- ~40 ms, where each day's refresh spent ~12 ms grouping them.
delete from subtree_units;
insert into subtree_units by name
with units_at_level as (
    select prefix_len, num // 1000 * 1000 as village_num, count(*) as units
    from units where active group by all
),
final as (
    select v.village_num // a.span * a.span as num, v.prefix_len, sum(v.units) as units
    from units_at_level v
    join (values (2, 10000000000000), (4, 100000000000), (6, 1000000000), (9, 1000000), (12, 1000))
        as a(prefix_len, span) on v.prefix_len >= a.prefix_len
    group by all
)
select * from final;

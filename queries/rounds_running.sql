-- The testing round running on a date in each county that has rounds set: county_num, round.
with started as (
    select county_num, round, start_date from rounds where start_date <= $snapshot_date
),
final as (
    select county_num, arg_max(round, start_date) as round from started group by county_num
)
select * from final

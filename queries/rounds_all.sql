-- Every testing round set, per county: county_num, round, start_date.
with final as (select county_num, round, start_date from rounds)
select * from final order by county_num, round

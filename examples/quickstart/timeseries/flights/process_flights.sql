-- The first day of each month as a date (the runner's time_index), from the
-- year and the month's English name (table `source`). The dates go through a
-- table declared DATE so that the result's column is a timestamp column, not
-- text: the model, its deployment bundle and `lolpop predict` then all see
-- time stamps. Works on the history and on the eval file (no `passengers`).
CREATE TABLE calendar (year INTEGER, month TEXT, month_start DATE);
INSERT INTO calendar
SELECT year, month,
       printf('%04d-%02d-01', year,
              CASE month
                  WHEN 'January' THEN 1 WHEN 'February' THEN 2 WHEN 'March' THEN 3
                  WHEN 'April' THEN 4 WHEN 'May' THEN 5 WHEN 'June' THEN 6
                  WHEN 'July' THEN 7 WHEN 'August' THEN 8 WHEN 'September' THEN 9
                  WHEN 'October' THEN 10 WHEN 'November' THEN 11 WHEN 'December' THEN 12
              END)
FROM source;
SELECT calendar.month_start, source.*
FROM source JOIN calendar ON calendar.year = source.year AND calendar.month = source.month

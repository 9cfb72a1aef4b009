-- Features derived from the raw passenger list (table `source`).
-- Works on both the training file and the eval file (which has no `survived`).
SELECT *,
       sibsp + parch + 1                      AS family_size,
       fare / (sibsp + parch + 1)             AS fare_per_person,
       CASE WHEN age IS NULL THEN 1 ELSE 0 END AS age_missing,
       CASE WHEN deck IS NULL THEN 'none' ELSE deck END AS cabin_deck
FROM source
